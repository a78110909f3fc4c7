package io.wsink.testkit;

import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.ext.web.client.HttpResponse;

import java.util.function.Predicate;
import java.util.function.Supplier;

/** Bounded polling of an asynchronous probe on Vert.x timers, for a state that raises no event to await. */
public final class Poll {

  /** Default number of attempts. */
  public static final int ATTEMPTS = 100;
  /** Default pause between two attempts. */
  public static final long DELAY_MS = 50;

  private Poll() {
  }

  /** The full {@code until} with the default bound: {@link #ATTEMPTS} attempts, {@link #DELAY_MS} ms apart. */
  public static <T> Future<T> until(Vertx vertx, String what, Supplier<Future<T>> probe, Predicate<T> done) {
    return until(vertx, what, ATTEMPTS, DELAY_MS, probe, done);
  }

  /**
   * Asks {@code probe} until {@code done} holds for its answer, at most {@code attempts} times, {@code delayMs} apart.
   * A failed answer counts as "not yet"; a probe or a condition that throws fails the poll at once.
   *
   * @return the first answer that satisfies {@code done}; or an {@link AssertionError} naming {@code what} and the last
   *   answer
   */
  public static <T> Future<T> until(Vertx vertx, String what, int attempts, long delayMs, Supplier<Future<T>> probe,
                                    Predicate<T> done) {
    Promise<T> result = Promise.promise();
    attempt(vertx, what, attempts, delayMs, probe, done, attempts, result);
    return result.future();
  }

  private static <T> void attempt(Vertx vertx, String what, int attempts, long delayMs, Supplier<Future<T>> probe,
                                  Predicate<T> done, int left, Promise<T> result) {
    Future<T> answer;
    try {
      answer = probe.get();
    } catch (RuntimeException | AssertionError e) {
      result.fail(new AssertionError("while waiting for " + what + ", the probe threw", e));
      return;
    }
    answer.onComplete(ar -> {
      boolean reached;
      try {
        reached = ar.succeeded() && done.test(ar.result());
      } catch (RuntimeException | AssertionError e) {
        result.fail(new AssertionError("while waiting for " + what + ", the condition threw on " + describe(ar), e));
        return;
      }
      if (reached) {
        result.complete(ar.result());
      } else if (left <= 1) {
        result.fail(new AssertionError("gave up waiting for " + what + " after " + attempts + " attempts, " + delayMs
          + " ms apart; last answer: " + describe(ar)));
      } else {
        vertx.setTimer(delayMs, id -> attempt(vertx, what, attempts, delayMs, probe, done, left - 1, result));
      }
    });
  }

  private static String describe(AsyncResult<?> ar) {
    if (ar.failed()) {
      return String.valueOf(ar.cause());
    }
    Object answer = ar.result();
    return answer instanceof HttpResponse<?> r ? r.statusCode() + " " + r.bodyAsString() : String.valueOf(answer);
  }
}
