/**
 * One deployment's data plane: an ONNX model behind HTTP scoring, the V2 protocol and CloudEvents.
 */
package dev.knoe.scoring;
