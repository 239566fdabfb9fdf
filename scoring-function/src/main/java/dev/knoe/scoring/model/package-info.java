/** Loading an ONNX model into ONNX Runtime on the right execution provider, and running it. */
package dev.knoe.scoring.model;
