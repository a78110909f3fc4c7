package io.wsink.ops;

import io.netty.util.concurrent.EventExecutor;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;

/**
 * Liveness (§6.5): hands a task to every event loop of Vert.x and sees which of them run it within a deadline. A loop
 * that does not is blocked — by a handler that never returns, say — and everything living on it is stuck.
 *
 * <p>Vert.x has no public list of its event loops; its internal API does (as {@link io.wsink.Detached} uses it).
 */
public final class EventLoopProbe {

  /**
   * Vert.x's own limit for one turn of an event loop ({@code maxEventLoopExecuteTime}, 2 s): a loop that has not come
   * round to a new task within it is what Vert.x itself reports as blocked.
   */
  public static final long DEADLINE_MS = 2_000;

  private final Vertx vertx;

  public EventLoopProbe(Vertx vertx) {
    this.vertx = vertx;
  }

  /** Outcome: how many event loops there are, and the index of every one that did not answer in time. */
  public record Result(int loops, List<Integer> unresponsive) {
  }

  /** Call it on a Vert.x context: the answers are collected there. */
  public Future<Result> probe() {
    Context here = vertx.getOrCreateContext();
    List<EventExecutor> loops = new ArrayList<>();
    ((VertxInternal) vertx).eventLoopGroup().forEach(loops::add);
    boolean[] answered = new boolean[loops.size()];
    Promise<Result> done = Promise.promise();
    int[] pending = {loops.size()};
    long timer = vertx.setTimer(DEADLINE_MS, id -> done.tryComplete(result(answered)));
    for (int i = 0; i < loops.size(); i++) {
      int index = i;
      try {
        // the loop's answer is counted back on our context, so the bookkeeping has one thread
        loops.get(i).execute(() -> here.runOnContext(v -> {
          answered[index] = true;
          if (--pending[0] == 0 && done.tryComplete(result(answered))) {
            vertx.cancelTimer(timer);
          }
        }));
      } catch (RejectedExecutionException e) {
        // Vert.x is closing: that loop will not answer, and the deadline reports it
      }
    }
    return done.future();
  }

  private static Result result(boolean[] answered) {
    List<Integer> silent = new ArrayList<>();
    for (int i = 0; i < answered.length; i++) {
      if (!answered[i]) {
        silent.add(i);
      }
    }
    return new Result(answered.length, silent);
  }
}
