/** Tensors as primitive direct buffers, their datatypes and their shapes. */
package dev.knoe.scoring.tensor;
