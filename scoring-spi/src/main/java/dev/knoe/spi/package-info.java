/**
 * The scoring handler SPI: Azure ML's {@code score.py} contract ({@code init()} once, {@code run()}
 * per request) in Java. A handler compiles against this jar only; the scoring function supplies the
 * model and the request. Beside it, the rules every module applies to a model: which file of a
 * folder it is ({@link dev.knoe.spi.ModelFolder}) and what the file must be ({@link
 * dev.knoe.spi.OnnxModelCheck}).
 */
package dev.knoe.spi;
