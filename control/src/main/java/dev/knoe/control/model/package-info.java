/** The model registry: immutable, versioned ONNX files stored by their sha256. */
package dev.knoe.control.model;
