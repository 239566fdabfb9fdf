/**
 * The scoring handler SPI: Azure ML's {@code score.py} contract ({@code init()} once, {@code run()}
 * per request) in Java. A handler compiles against this jar only; the scoring function supplies the
 * model and the request.
 */
package dev.knoe.spi;
