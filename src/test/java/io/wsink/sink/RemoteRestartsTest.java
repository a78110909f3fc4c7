package io.wsink.sink;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.wsink.server.ConnectionAbort;
import io.wsink.testkit.Conditions;
import io.wsink.testkit.TestNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static io.wsink.testkit.Rules.SINK0;
import static io.wsink.testkit.Rules.clientProps;
import static io.wsink.testkit.Rules.rule;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Issue 6.4, fault 1 — the remote server of a client-mode rule restarted {@value #RESTARTS} times while messages flow
 * (§4.1): every message arrives exactly once and in order across all connections, wsink never holds two connections at
 * once, and every redial waits as the backoff says (§4 {@code maxConnRetry}: first retry after 100 ms ±20 %, no delay
 * above 30 s +20 %).
 *
 * <p>The remote server is a Vert.x WebSocket server on a fixed loopback port; a restart is {@link HttpServer#close()}
 * (which sends every client a Close frame and waits for its answer), a down-time of 0 to 250 ms, then a new listen on the
 * same port. The producer {@code request}s numbered text messages, at most {@value #WINDOW} unacknowledged at a time
 * (fewer than {@code bufferLength} {@value #BUFFER_LENGTH}), so nothing may be dropped for lack of room: any gap is a
 * message lost on a reconnect.
 */
@ExtendWith(VertxExtension.class)
@io.vertx.junit5.Timeout(value = 120, timeUnit = TimeUnit.SECONDS)
class RemoteRestartsTest {

  static final int RESTARTS = 100;
  /** Requests in flight (sent, not acknowledged): what can wait in the sink while the server is down. */
  static final int WINDOW = 32;
  static final int BUFFER_LENGTH = 64;
  /** Messages each connection must carry before it is restarted: every connection is used while messages flow. */
  static final int PER_CONNECTION = 10;
  /** Down-times, in turn: 0 ms (the first redial finds the server back), up to a few redials' worth. */
  static final long[] DOWN_MS = {0, 50, 100, 150, 200, 250};
  /** The producer's bound: more than the test needs; reaching it fails the test. */
  static final int MAX_MESSAGES = 200_000;
  /** Producer pace: at most this many new requests per tick of {@link #TICK_MS}. */
  static final int PER_TICK = 5;
  static final long TICK_MS = 5;
  /** Backoff bounds of the contract, loosely: the first retry waits at least 100 ms − 20 %, none more than 30 s + 20 %. */
  static final long FIRST_RETRY_MIN_MS = 80;
  static final long RETRY_MAX_MS = 36_000;
  /** The crash test: messages of 32 kB, far more than the socket buffers hold, fewer than bufferLength (1024). */
  static final int ABORT_MESSAGES = 1000;
  /** The crash comes once wsink holds this many messages itself. */
  static final int ABORT_QUEUED = 100;
  private static final int STATUS_ATTEMPTS = 200;

  @TempDir
  Path dir;
  private TestNode node;
  private FlappingServer server;

  @AfterEach
  void cleanUp(VertxTestContext ctx) {
    Future<Void> closed = server == null ? Future.succeededFuture() : server.close();
    closed.transform(ar -> node == null ? Future.succeededFuture() : node.stop()).onComplete(ar -> ctx.completeNow());
  }

  @Test
  void everyMessageArrivesOnceInOrderAcrossAHundredRestarts(Vertx vertx, VertxTestContext ctx) {
    server = new FlappingServer(vertx);
    Producer producer = new Producer(vertx, "rule.restarts");
    List<Long> downMs = new ArrayList<>();
    server.listenOnFixedPort()
      .compose(port -> TestNode.start(vertx, dir).compose(n -> {
        node = n;
        return n.createRule(rule("restarts", clientProps(port).put("bufferLength", BUFFER_LENGTH)));
      }))
      .compose(v -> server.awaitUntil("the first connection", s -> s.connections() == 1))
      .compose(v -> {
        producer.start();
        return server.awaitUntil(PER_CONNECTION + " messages on connection 1", s -> s.onCurrent() >= PER_CONNECTION);
      })
      .compose(v -> {
        Future<Void> chain = Future.succeededFuture();
        for (int i = 0; i < RESTARTS; i++) {
          long down = DOWN_MS[i % DOWN_MS.length];
          int connection = i + 2;
          chain = chain.compose(x -> {
            downMs.add(down);
            return server.restart(down);
          })
            .compose(x -> server.awaitUntil("connection " + connection, s -> s.connections() == connection))
            .compose(x -> server.awaitUntil(PER_CONNECTION + " messages on connection " + connection,
              s -> s.onCurrent() >= PER_CONNECTION));
        }
        return chain;
      })
      .compose(v -> producer.stop())
      .compose(sent -> server.awaitUntil("all " + sent + " messages", s -> s.received().size() >= sent)
        .map(sent))
      .compose(sent -> node.awaitStatus("restarts", "every message counted out",
        s -> s.getLong(SINK0 + "records_out_total", 0L) == (long) sent).map(status -> {
          ctx.verify(() -> {
            System.out.printf("RemoteRestartsTest: %d restarts, %d connections, %d messages sent, %d received, "
              + "redial delays %d..%d ms, %d refused bind(s) retried%n", downMs.size(), server.connections(), sent,
              server.received().size(),
              server.delaysMs().stream().mapToLong(Long::longValue).min().orElse(-1),
              server.delaysMs().stream().mapToLong(Long::longValue).max().orElse(-1), server.bindRetries());
            assertEquals(List.of(), producer.failures(), "every request acknowledged");
            assertSequence(sent, server.received());
            assertEquals(RESTARTS + 1, server.connections(), "one connection per time the server listened");
            assertEquals(1, server.maxOpen(), "never two connections open at once");
            List<Long> delays = server.delaysMs();
            assertEquals(RESTARTS, delays.size(), "one redial per restart");
            for (int i = 0; i < delays.size(); i++) {
              long delay = delays.get(i);
              int restart = i + 1;
              assertTrue(delay >= FIRST_RETRY_MIN_MS, () -> "restart " + restart + ": redialled " + delay
                + " ms after the server closed, before the first backoff (" + FIRST_RETRY_MIN_MS + " ms): " + delays);
              long most = RETRY_MAX_MS + server.downMs().get(i);
              assertTrue(delay <= most, () -> "restart " + restart + ": redialled after " + delay + " ms, more than "
                + most + " ms: " + delays);
            }
            assertEquals(0L, status.getLong(SINK0 + "records_dropped_total"), status::encode);
            assertEquals((long) RESTARTS, status.getLong(SINK0 + "connection_reconnects"), status::encode);
            assertEquals(1, status.getInteger(SINK0 + "connection_status"), status::encode);
          });
          return status;
        }))
      .onComplete(ctx.succeedingThenComplete());
  }

  /**
   * The requeue of a reconnect: the remote stops reading, so that wsink's frames fill the socket buffers and then
   * wsink's own queue, and then the remote crashes (the connection aborted, no Close). What the remote's kernel had
   * taken is gone — wsink had written it, and no WebSocket client can know more — but everything wsink still held
   * (its buffer, and the frames Netty had not written when the socket died) goes out on the next connection: once,
   * in order, right after the lost range.
   */
  @Test
  void framesNotYetWrittenWhenTheConnectionDiesAreResentOnceInOrder(Vertx vertx, VertxTestContext ctx) {
    int count = ABORT_MESSAGES;
    String padding = ":" + "x".repeat(32_000);
    server = new FlappingServer(vertx);
    server.pauseNew(true);
    List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
    int[] queuedAtAbort = new int[1];
    server.listenOnFixedPort()
      .compose(port -> TestNode.start(vertx, dir).compose(n -> {
        node = n;
        return n.createRule(rule("aborted", clientProps(port)));
      }))
      .compose(v -> server.awaitUntil("the first connection", s -> s.connections() == 1))
      .compose(v -> {
        List<Future<?>> acks = new ArrayList<>();
        for (int i = 0; i < count; i++) {
          int seq = i;
          acks.add(vertx.eventBus().request("rule.aborted", seq + padding)
            .onFailure(err -> failures.add(seq + ": " + err)));
        }
        Future<?> settled = Future.join(acks);
        return node.awaitStatus("aborted", "at least " + ABORT_QUEUED + " messages queued in wsink",
          st -> st.getInteger(SINK0 + "buffer_length", 0) >= ABORT_QUEUED, STATUS_ATTEMPTS).map(st -> {
            queuedAtAbort[0] = st.getInteger(SINK0 + "buffer_length");
            server.pauseNew(false);
            server.abortAll();
            return settled;
          });
      })
      .compose(settled -> server.awaitUntil("the second connection", s -> s.connections() == 2)
        .compose(v -> settled.transform(ar -> Future.succeededFuture())))
      .compose(v -> server.awaitUntil("the last message", s -> s.received().contains(count - 1)))
      .compose(v -> node.awaitStatus("aborted", "every message counted out",
        st -> st.getLong(SINK0 + "records_out_total", 0L) == count, STATUS_ATTEMPTS))
      .onComplete(ctx.succeeding(status -> ctx.verify(() -> {
        assertEquals(List.of(), failures, "every message acknowledged as written");
        List<Integer> received = server.received();
        for (int i = 1; i < received.size(); i++) {
          assertTrue(received.get(i) > received.get(i - 1), "message " + received.get(i) + " after "
            + received.get(i - 1) + " (twice or out of order)");
        }
        // what is missing is one range: what the remote's socket buffers held when it died
        int missing = count - received.size();
        int firstMissing = 0;
        while (firstMissing < received.size() && received.get(firstMissing) == firstMissing) {
          firstMissing++;
        }
        int resumedAt = firstMissing + missing;
        assertEquals(received.subList(firstMissing, received.size()),
          java.util.stream.IntStream.range(resumedAt, count).boxed().toList(), "after the lost range, all of the rest");
        assertTrue(count - resumedAt > 0, "wsink held messages when the remote crashed, and resent them: " + received);
        System.out.printf("RemoteRestartsTest: %d messages, %d held by wsink shortly before the remote crashed, %d lost in the"
          + " remote's socket buffers (%d..%d), %d resent on the second connection%n", count, queuedAtAbort[0], missing,
          firstMissing, resumedAt - 1, count - resumedAt);
        assertEquals(0L, status.getLong(SINK0 + "records_dropped_total"), status::encode);
        assertEquals(1L, status.getLong(SINK0 + "connection_reconnects"), status::encode);
        assertEquals(2, server.connections());
        ctx.completeNow();
      })));
  }

  /** {@code received} is exactly 0, 1, …, sent − 1: names the first duplicate, gap or reordering. */
  static void assertSequence(int sent, List<Integer> received) {
    for (int i = 0; i < Math.min(sent, received.size()); i++) {
      int got = received.get(i);
      if (got != i) {
        int from = Math.max(0, i - 3);
        fail("message " + i + " of " + sent + ": got " + got + " (" + (got < i ? "a duplicate or out of order"
          : "a gap: " + i + ".." + (got - 1) + " missing") + "); around it: "
          + received.subList(from, Math.min(received.size(), i + 4)));
      }
    }
    assertEquals(sent, received.size(), "messages received");
  }

  // ---------------------------------------------------------------------------------------------------------------

  /**
   * Requests numbered text messages on a Vert.x timer, {@value #PER_TICK} per {@value #TICK_MS} ms at most and never
   * more than {@value #WINDOW} unacknowledged.
   */
  static final class Producer {
    private final Vertx vertx;
    /** Every producer field is touched on this context only. */
    private final Context context;
    private final String address;
    private final List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
    private final Promise<Integer> settled = Promise.promise();
    private long timer = -1;
    private int next;
    private int outstanding;
    private boolean stopping;

    Producer(Vertx vertx, String address) {
      this.vertx = vertx;
      this.context = vertx.getOrCreateContext();
      this.address = address;
    }

    void start() {
      context.runOnContext(v -> timer = vertx.setPeriodic(TICK_MS, id -> tick()));
    }

    private void tick() {
      for (int i = 0; i < PER_TICK && outstanding < WINDOW && next < MAX_MESSAGES && !stopping; i++) {
        int seq = next++;
        outstanding++;
        vertx.eventBus().request(address, String.valueOf(seq)).onComplete(ar -> {
          outstanding--;
          if (ar.failed()) {
            failures.add(seq + ": " + ar.cause());
          }
          settle();
        });
      }
      if (next >= MAX_MESSAGES && !stopping) {
        failures.add("the producer reached its bound of " + MAX_MESSAGES + " messages before the restarts were done");
        stopping = true;
      }
    }

    /** Stops producing; completes with the number of messages sent once every request was answered. */
    Future<Integer> stop() {
      context.runOnContext(v -> {
        stopping = true;
        vertx.cancelTimer(timer);
        settle();
      });
      return settled.future();
    }

    private void settle() {
      if (stopping && outstanding == 0) {
        settled.tryComplete(next);
      }
    }

    List<String> failures() {
      return List.copyOf(failures);
    }
  }

  /**
   * The remote server: a Vert.x WebSocket server on one loopback port, closed and listening again on it, recording across
   * every restart the numbered messages in arrival order, the connections, how many were open at once and, per restart,
   * the time from the close to the next handshake. Thread-safe; awaits fail after 10 s with what was recorded.
   */
  static final class FlappingServer {
    private static final long AWAIT_MS = 10_000;
    /** A port below the ephemeral range (32768+): no outgoing connection, wsink's redials included, can take it. */
    private static final int PORT_FROM = 20_000;
    private static final int PORT_TO = 32_000;
    private static final int BIND_TRIES = 40;
    private static final long BIND_RETRY_MS = 25;

    private final Vertx vertx;
    private final List<Integer> received = new ArrayList<>();
    private final List<Long> acceptNanos = new ArrayList<>();
    private final List<Long> closeNanos = new ArrayList<>();
    private final List<Long> listenNanos = new ArrayList<>();
    private final Conditions<FlappingServer> conditions;
    private final List<ServerWebSocket> sockets = new ArrayList<>();
    private boolean pauseNew;
    private int bindRetries;
    private int port;
    private int open;
    private int maxOpen;
    private int onCurrent;
    private HttpServer server; // referenced while listening

    FlappingServer(Vertx vertx) {
      this.vertx = vertx;
      this.conditions = new Conditions<>(vertx, this, AWAIT_MS);
    }

    /** Listens on a free port below the ephemeral range (a few tries); completes with it. */
    Future<Integer> listenOnFixedPort() {
      return tryPorts(20);
    }

    private Future<Integer> tryPorts(int left) {
      int candidate = ThreadLocalRandom.current().nextInt(PORT_FROM, PORT_TO);
      return listen(candidate).recover(err -> left > 1 ? tryPorts(left - 1)
        : Future.failedFuture(new AssertionError("no free loopback port in " + PORT_FROM + ".." + PORT_TO, err)));
    }

    private Future<Integer> listen(int on) {
      HttpServer s = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(on))
        .webSocketHandler(this::accepted);
      return s.listen().map(listening -> {
        synchronized (this) {
          server = listening;
          port = on;
        }
        return on;
      });
    }

    /**
     * Closes the server (every connection gets Close and answers it), waits until its connection is gone, stays down
     * {@code downMs}, then listens on the same port again.
     */
    Future<Void> restart(long downMs) {
      HttpServer s;
      synchronized (this) {
        s = server;
        server = null;
        closeNanos.add(System.nanoTime()); // before the Close frame leaves: wsink cannot have seen it earlier
      }
      return s.close()
        .compose(v -> awaitUntil("the connection closed", r -> r.open == 0))
        .compose(v -> {
          Promise<Void> down = Promise.promise();
          if (downMs == 0) {
            down.complete();
          } else {
            vertx.setTimer(downMs, id -> down.complete());
          }
          return down.future();
        })
        .compose(v -> relisten(BIND_TRIES))
        .onSuccess(v -> {
          synchronized (this) {
            listenNanos.add(System.nanoTime());
          }
        })
        .mapEmpty();
    }

    /**
     * Listens on the port again. The server closes its end of a connection first, so that end lingers until the peer's
     * FIN arrives, and some network stacks (gVisor's) refuse even an SO_REUSEADDR bind meanwhile: nothing announces the
     * end of that state, so a refused bind is tried again on a timer, a bounded number of times.
     */
    private Future<Integer> relisten(int tries) {
      return listen(port).recover(err -> {
        if (tries <= 1) {
          return Future.failedFuture(new AssertionError("could not listen on 127.0.0.1:" + port + " again after "
            + BIND_TRIES + " tries, " + BIND_RETRY_MS + " ms apart (another process took the port?)", err));
        }
        synchronized (this) {
          bindRetries++;
        }
        Promise<Integer> again = Promise.promise();
        vertx.setTimer(BIND_RETRY_MS, id -> relisten(tries - 1).onComplete(again));
        return again.future();
      });
    }

    Future<Void> close() {
      HttpServer s;
      synchronized (this) {
        s = server;
        server = null;
      }
      return s == null ? Future.succeededFuture() : s.close();
    }

    /** Connections accepted from now on read nothing: what wsink writes piles up in the socket buffers, then in wsink. */
    synchronized void pauseNew(boolean pause) {
      pauseNew = pause;
    }

    /** Closes every open connection at once, without a Close frame, as a crashing server does. */
    synchronized void abortAll() {
      sockets.stream().filter(ws -> !ws.isClosed()).forEach(ConnectionAbort::abort);
    }

    private void accepted(ServerWebSocket ws) {
      synchronized (this) {
        sockets.add(ws);
        if (pauseNew) {
          ws.pause();
        }
      }
      record(() -> {
        open++;
        maxOpen = Math.max(maxOpen, open);
        onCurrent = 0;
        acceptNanos.add(System.nanoTime());
      });
      ws.textMessageHandler(text -> record(() -> {
        int colon = text.indexOf(':'); // "<seq>" or "<seq>:<padding>"
        received.add(Integer.parseInt(colon < 0 ? text : text.substring(0, colon)));
        onCurrent++;
      }));
      ws.closeHandler(v -> record(() -> open--));
    }

    private synchronized void record(Runnable change) {
      change.run();
      conditions.changed();
    }

    synchronized int connections() {
      return acceptNanos.size();
    }

    synchronized int bindRetries() {
      return bindRetries;
    }

    synchronized int maxOpen() {
      return maxOpen;
    }

    /** Messages received on the newest connection. */
    synchronized int onCurrent() {
      return onCurrent;
    }

    synchronized List<Integer> received() {
      return List.copyOf(received);
    }

    /** For restart n: how long the server was down, from the close to listening again. */
    synchronized List<Long> downMs() {
      List<Long> down = new ArrayList<>();
      for (int i = 0; i < listenNanos.size(); i++) {
        down.add(TimeUnit.NANOSECONDS.toMillis(listenNanos.get(i) - closeNanos.get(i)));
      }
      return down;
    }

    /** For restart n: from the close to the handshake of connection n + 1. */
    synchronized List<Long> delaysMs() {
      List<Long> delays = new ArrayList<>();
      for (int i = 0; i < closeNanos.size() && i + 1 < acceptNanos.size(); i++) {
        delays.add(TimeUnit.NANOSECONDS.toMillis(acceptNanos.get(i + 1) - closeNanos.get(i)));
      }
      return delays;
    }

    synchronized Future<Void> awaitUntil(String what, Predicate<FlappingServer> condition) {
      return conditions.await(what, condition, this::toString);
    }

    @Override
    public synchronized String toString() {
      int n = received.size();
      return "server on port " + port + ": " + acceptNanos.size() + " connection(s), " + open + " open, " + n
        + " message(s), the last " + received.subList(Math.max(0, n - 5), n);
    }
  }
}
