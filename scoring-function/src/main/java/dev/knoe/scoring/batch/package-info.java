/**
 * Dynamic batching: concurrent requests merged along the first dimension into one ONNX Runtime run,
 * then split back, with results identical to running each alone.
 */
package dev.knoe.scoring.batch;
