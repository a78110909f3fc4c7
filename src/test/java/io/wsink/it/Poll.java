package io.wsink.it;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Bounded polling for what has no event to await (a REST status of another process): a timer runs the probe every
 * {@link #INTERVAL} until it satisfies the condition, at most {@code timeout / INTERVAL} times.
 */
final class Poll {

  static final Duration INTERVAL = Duration.ofMillis(100);

  private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "it-poll");
    t.setDaemon(true);
    return t;
  });

  private Poll() {
  }

  /**
   * @return the first value of {@code probe} that satisfies {@code ok}
   * @throws AssertionError naming {@code what} and the last value seen when no value did within {@code timeout}
   */
  static <T> T until(String what, Duration timeout, Supplier<T> probe, Predicate<T> ok) {
    int attempts = (int) Math.max(1, timeout.toMillis() / INTERVAL.toMillis());
    AtomicInteger left = new AtomicInteger(attempts);
    AtomicReference<T> last = new AtomicReference<>();
    CompletableFuture<T> result = new CompletableFuture<>();
    ScheduledFuture<?> task = TIMER.scheduleWithFixedDelay(() -> {
      if (result.isDone()) {
        return;
      }
      try {
        T value = probe.get();
        last.set(value);
        if (ok.test(value)) {
          result.complete(value);
        } else if (left.decrementAndGet() <= 0) {
          result.completeExceptionally(new AssertionError("gave up waiting for " + what + " after " + attempts
            + " attempts; last value: " + value));
        }
      } catch (Throwable e) {
        result.completeExceptionally(e);
      }
    }, 0, INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
    try {
      // the attempts bound the wait; the extra margin only covers slow probes
      return result.get(timeout.toMillis() + 20_000, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof AssertionError ae) {
        throw ae;
      }
      throw new AssertionError("while waiting for " + what + ": " + e.getCause(), e.getCause());
    } catch (TimeoutException e) {
      throw new AssertionError("gave up waiting for " + what + "; last value: " + last.get());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while waiting for " + what);
    } finally {
      task.cancel(false);
    }
  }
}
