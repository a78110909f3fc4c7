package io.wsink.testkit;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Conditions a test awaits over something that records events (a test server): every recorded change checks them
 * again, and an await fails after a bound, naming what was awaited and what was recorded. Not thread-safe: the owner
 * calls {@link #await} and {@link #changed} under its own lock.
 */
public final class Conditions<T> {

  private final Vertx vertx;
  private final T subject;
  private final long timeoutMs;
  private final List<Runnable> waiters = new ArrayList<>();

  public Conditions(Vertx vertx, T subject, long timeoutMs) {
    this.vertx = vertx;
    this.subject = subject;
    this.timeoutMs = timeoutMs;
  }

  /** Completes once {@code condition} holds; fails after the timeout with {@code what} and {@code recorded}. */
  public Future<Void> await(String what, Predicate<T> condition, Supplier<String> recorded) {
    Promise<Void> promise = Promise.promise();
    if (condition.test(subject)) {
      promise.complete();
      return promise.future();
    }
    long timer = vertx.setTimer(timeoutMs, t -> promise.tryFail(new AssertionError(what + " not seen within "
      + timeoutMs + " ms; recorded " + recorded.get())));
    Runnable[] check = new Runnable[1];
    check[0] = () -> {
      if (condition.test(subject) && promise.tryComplete()) {
        vertx.cancelTimer(timer);
        waiters.remove(check[0]);
      }
    };
    waiters.add(check[0]);
    return promise.future();
  }

  /** Something was recorded: check every pending condition again. */
  public void changed() {
    new ArrayList<>(waiters).forEach(Runnable::run);
  }
}
