package io.wsink.testkit;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.util.function.IntConsumer;
import java.util.function.IntFunction;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * How the slow-client tests load an endpoint: numbered messages in batches, each batch once the fast clients have the
 * one before (they are fast, not infinitely buffered), until the rule status shows what the test waits for (a drop, a
 * disconnection), then a tail more; bounded.
 */
public final class BatchPublisher {

  private final int batch;
  private final int tail;
  private final int max;
  private final IntConsumer publish;
  private final IntFunction<Future<?>> taken;
  private final Supplier<Future<JsonObject>> status;

  /**
   * @param batch   messages published before waiting for the fast clients
   * @param tail    messages published once the status shows what was awaited
   * @param max     most messages published before giving up
   * @param publish publishes message number i
   * @param taken   completes once the fast clients have the first n messages
   * @param status  the rule's status
   */
  public BatchPublisher(int batch, int tail, int max, IntConsumer publish, IntFunction<Future<?>> taken,
                        Supplier<Future<JsonObject>> status) {
    this.batch = batch;
    this.tail = tail;
    this.max = max;
    this.publish = publish;
    this.taken = taken;
    this.status = status;
  }

  /**
   * Publishes until {@code stop} holds for the rule status, then the tail; fails naming {@code otherwise} after
   * {@code max} messages.
   *
   * @return how many messages were published
   */
  public Future<Integer> until(Predicate<JsonObject> stop, String otherwise) {
    return from(0, stop, otherwise);
  }

  private Future<Integer> from(int from, Predicate<JsonObject> stop, String otherwise) {
    int to = from + batch;
    publish(from, to);
    return taken.apply(to).compose(x -> status.get()).compose(st -> {
      if (stop.test(st)) {
        int end = to + tail;
        publish(to, end);
        return taken.apply(end).map(end);
      }
      if (to >= max) {
        return Future.failedFuture(new AssertionError(otherwise + " after " + to + " messages: " + st.encode()));
      }
      return from(to, stop, otherwise);
    });
  }

  private void publish(int from, int to) {
    for (int i = from; i < to; i++) {
      publish.accept(i);
    }
  }
}
