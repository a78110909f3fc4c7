package io.wsink.ops;

import io.netty.util.concurrent.EventExecutor;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.ThreadingModel;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.internal.VertxInternal;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Liveness: the probe names the event loop that does not run a task, and only that one. */
class EventLoopProbeTest {

  private final Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
  private final CountDownLatch release = new CountDownLatch(1);

  @AfterEach
  void tearDown() throws Exception {
    release.countDown();
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  void allLoopsAnswer() throws Exception {
    EventLoopProbe.Result result = probe();
    assertEquals(new EventLoopProbe.Result(2, List.of()), result);
  }

  @Test
  void aBlockedLoopIsNamedAndAnswersAgainOnceFree() throws Exception {
    List<EventExecutor> loops = new ArrayList<>();
    ((VertxInternal) vertx).eventLoopGroup().forEach(loops::add);
    CountDownLatch blocked = new CountDownLatch(1);
    loops.get(1).execute(() -> {
      blocked.countDown();
      try {
        // bounded: the test releases it; the bound only keeps a failed test from holding the loop forever
        release.await(20, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    assertTrue(blocked.await(10, TimeUnit.SECONDS), "the loop took the blocking task");
    long started = System.nanoTime();
    assertEquals(new EventLoopProbe.Result(2, List.of(1)), probe());
    assertTrue(System.nanoTime() - started >= TimeUnit.MILLISECONDS.toNanos(EventLoopProbe.DEADLINE_MS),
      "a silent loop is reported at the deadline, not before");
    release.countDown();
    assertEquals(new EventLoopProbe.Result(2, List.of()), probe());
  }

  /** Probes from a worker context: its thread is no event loop, so blocking one loop never holds the probe itself. */
  private EventLoopProbe.Result probe() throws Exception {
    Promise<EventLoopProbe.Result> result = Promise.promise();
    ((VertxInternal) vertx).createContext(ThreadingModel.WORKER)
      .runOnContext(v -> new EventLoopProbe(vertx).probe().onComplete(result));
    Future<EventLoopProbe.Result> future = result.future();
    return future.await(10, TimeUnit.SECONDS);
  }
}
