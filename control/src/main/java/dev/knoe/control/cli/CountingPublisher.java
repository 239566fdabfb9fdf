package dev.knoe.control.cli;

import java.net.http.HttpRequest.BodyPublisher;
import java.nio.ByteBuffer;
import java.util.concurrent.Flow;
import java.util.function.LongConsumer;

/**
 * A request body that reports how many bytes it has handed to the HTTP client so far, for an
 * upload's progress. A new subscription (a retried request) counts from zero again.
 */
final class CountingPublisher implements BodyPublisher {

  private final BodyPublisher body;
  private final LongConsumer sent;

  /**
   * @param sent called from the HTTP client's thread with the running total, after each chunk
   */
  CountingPublisher(BodyPublisher body, LongConsumer sent) {
    this.body = body;
    this.sent = sent;
  }

  @Override
  public long contentLength() {
    return body.contentLength();
  }

  @Override
  public void subscribe(Flow.Subscriber<? super ByteBuffer> subscriber) {
    body.subscribe(
        new Flow.Subscriber<ByteBuffer>() {
          private long total;

          @Override
          public void onSubscribe(Flow.Subscription subscription) {
            subscriber.onSubscribe(subscription);
          }

          @Override
          public void onNext(ByteBuffer chunk) {
            int n = chunk.remaining();
            subscriber.onNext(chunk);
            total += n;
            sent.accept(total);
          }

          @Override
          public void onError(Throwable error) {
            subscriber.onError(error);
          }

          @Override
          public void onComplete() {
            subscriber.onComplete();
          }
        });
  }
}
