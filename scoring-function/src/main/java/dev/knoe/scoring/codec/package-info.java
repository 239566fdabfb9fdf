/**
 * JSON bodies to tensors and back: the Azure {@code /score} format and the Open Inference Protocol
 * (V2), parsed with a streaming parser straight into primitive arrays, never boxed lists.
 */
package dev.knoe.scoring.codec;
