package io.wsink;

import io.vertx.core.Future;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Runs asynchronous operations on the same key one after the other, whatever the outcome of the previous one; different
 * keys run independently. For use from one event loop only.
 */
public final class KeyedQueue {

  private final Map<String, Future<?>> tails = new HashMap<>();

  public <T> Future<T> run(String key, Supplier<Future<T>> operation) {
    Future<?> previous = tails.getOrDefault(key, Future.succeededFuture());
    Future<T> next = previous.transform(ar -> operation.get());
    tails.put(key, next);
    next.onComplete(ar -> tails.remove(key, next));
    return next;
  }
}
