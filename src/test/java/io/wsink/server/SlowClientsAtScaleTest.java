package io.wsink.server;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.wsink.testkit.BatchPublisher;
import io.wsink.testkit.Conditions;
import io.wsink.testkit.Poll;
import io.wsink.testkit.RawWsClients;
import io.wsink.testkit.RawWsClients.ServerFrame;
import io.wsink.testkit.TestNode;
import io.wsink.testkit.WsClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.DataInputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static io.wsink.testkit.Rules.SINK0;
import static io.wsink.testkit.Rules.rule;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 6, slow clients at scale, the part that is fast and deterministic: 100 clients on one endpoint, 10 of them
 * paused (raw sockets that stop reading, with a small receive window). For each overflow policy the 90 others get
 * every message, in order; wsink never queues more than {@code clientQueueBytes} for a client; and what the paused
 * clients miss is counted: exactly, message by message, under {@code drop-oldest} and {@code drop-newest}, and as 10
 * disconnected clients under {@code disconnect}. Throughput and heap at this scale are measured by bench/soak.sh.
 */
@ExtendWith(VertxExtension.class)
@io.vertx.junit5.Timeout(value = 90, timeUnit = TimeUnit.SECONDS)
class SlowClientsAtScaleTest {

  private static final String PATH = "/scale";
  private static final String RULE = "scale";
  private static final int FAST = 90;
  private static final int PAUSED = 10;
  private static final int QUEUE_BYTES = 256 * 1024;
  private static final int MESSAGE_SIZE = 4096;
  /** Messages published before waiting for the fast clients: 64 KiB, far within a fast client's queue. */
  private static final int BATCH = 16;
  /** Messages published once the paused clients overflowed, so that their queues stay full for a while. */
  private static final int TAIL = 200;
  /**
   * Bound of what a test publishes: 20 MB per client, several times what a paused connection's kernel buffers take on
   * loopback (the send buffer autotunes up to tcp_wmem's maximum, 4 MiB by default) before wsink's queue fills.
   */
  private static final int MAX_MESSAGES = 5_000;

  @TempDir
  Path dir;

  private Vertx vertx;
  private TestNode node;
  private WebSocketClient client; // a field: Vert.x 5 closes an unreferenced client
  private FastClients fast;
  private final RawWsClients raw = new RawWsClients();
  private final List<PausedReader> readers = new ArrayList<>();

  @BeforeEach
  void start(Vertx vertx, VertxTestContext ctx) {
    this.vertx = vertx;
    this.fast = new FastClients(vertx);
    client = vertx.createWebSocketClient(WsClient.defaultOptions().setMaxConnections(FAST + PAUSED));
    TestNode.start(vertx, dir).onSuccess(n -> node = n).onComplete(ctx.succeedingThenComplete());
  }

  @AfterEach
  void stop(VertxTestContext ctx) throws IOException {
    raw.close(); // ends the readers too
    client.close().transform(x -> node == null ? Future.succeededFuture() : node.stop())
      .onComplete(ar -> ctx.completeNow());
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"drop-oldest", "drop-newest"})
  void theFastGetEverythingAndEveryMessageAPausedClientMissedIsCounted(String overflow, VertxTestContext ctx) {
    connectAll(overflow)
      .compose(paused -> publishUntil(st -> st.getLong(SINK0 + "records_dropped_total") > 0, "no message dropped")
        .compose(published -> node.status(RULE).map(st -> {
          fast.check(published);
          assertEquals(FAST + PAUSED, st.getInteger(SINK0 + "clients"), "dropping disconnects nobody: " + st.encode());
          assertEquals(0L, st.getLong(SINK0 + "clients_disconnected_total", 0L), st.encode());
          assertEquals(published, st.getLong(SINK0 + "records_out_total").intValue(), st.encode());
          return published;
        }))
        .compose(published -> checkQueueBound().map(published))
        .compose(published -> {
          // the paused clients read now; a sentinel that reached all 100 marks the end of what each was sent
          paused.forEach(socket -> readers.add(PausedReader.start(socket)));
          return sentinelToAll().compose(last -> Poll.until(vertx, "every paused client read sentinel " + last,
              () -> Future.succeededFuture(readers), all -> all.stream().allMatch(r -> r.sawSentinel(last)))
            .compose(x -> node.status(RULE))
            .map(st -> {
              long missed = 0;
              for (PausedReader r : readers) {
                missed += r.missed(published, last);
                boolean gotNewest = r.dataUpTo(last).contains(published - 1);
                assertEquals(overflow.equals("drop-oldest"), gotNewest, overflow + " keeps the newest message: " + r);
              }
              assertTrue(missed > 0, "the paused clients missed messages");
              assertEquals(missed, st.getLong(SINK0 + "records_dropped_total"),
                "every message a paused client missed is one drop counted: " + st.encode());
              return null;
            }));
        }))
      .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void disconnectClosesTheTenPausedOnlyAndCountsThem(VertxTestContext ctx) {
    connectAll("disconnect")
      .compose(paused -> publishUntil(st -> st.getLong(SINK0 + "clients_disconnected_total", 0L) >= PAUSED,
          "not every paused client disconnected")
        .map(published -> {
          fast.check(published);
          return null;
        })
        .compose(x -> node.awaitStatus(RULE, "the " + FAST + " fast clients are left",
          st -> st.getInteger(SINK0 + "clients") == FAST))
        .map(st -> {
          assertEquals(PAUSED, st.getLong(SINK0 + "clients_disconnected_total"), st.encode());
          assertTrue(st.getLong(SINK0 + "records_dropped_total") >= PAUSED, "drops are counted: " + st.encode());
          return null;
        })
        .compose(x -> checkQueueBound())
        // the server really closed each paused client: reading it now ends, after what its kernel buffers held
        .compose(x -> vertx.executeBlocking(() -> {
          List<String> ends = new ArrayList<>();
          for (Socket socket : paused) {
            ends.add(RawWsClients.readUntilClosed(socket, MAX_MESSAGES + 1000));
          }
          return ends;
        }, false))
        .map(ends -> {
          for (String end : ends) {
            assertNotEquals("timeout", end, "a paused client's connection must be closed by the server: " + ends);
            if (end.startsWith("close ")) {
              assertEquals("close 1008", end, "a client dropped for being slow gets Policy Violation: " + ends);
            }
          }
          return null;
        }))
      .onComplete(ctx.succeedingThenComplete());
  }

  // ---- set-up and load ------------------------------------------------------------------------------------------

  /** Creates the rule, connects the 90 fast clients and the 10 paused ones; completes with the paused sockets. */
  private Future<List<Socket>> connectAll(String overflow) {
    JsonObject props = new JsonObject().put("path", PATH).put("clientQueueBytes", QUEUE_BYTES).put("overflow", overflow);
    return node.createRule(rule(RULE, props))
      .compose(v -> {
        List<Future<Void>> connected = new ArrayList<>();
        for (int i = 0; i < FAST; i++) {
          int id = i;
          connected.add(client.connect(WsClient.connectOptions(node.dataUrl(PATH)))
            .map(ws -> {
              ws.textMessageHandler(text -> fast.received(id, text));
              return null;
            }));
        }
        return Future.all(connected);
      })
      .compose(v -> vertx.executeBlocking(() -> {
        List<Socket> paused = new ArrayList<>();
        for (int i = 0; i < PAUSED; i++) {
          paused.add(raw.upgrade(node.dataPort(), PATH, 4096)); // and never read until the test says so
        }
        return paused;
      }, false))
      .compose(paused -> node.awaitClients(PATH, FAST + PAUSED).map(paused));
  }

  /**
   * Publishes batch after batch, each once every fast client has the previous one, until {@code stop} holds for the
   * rule status, then {@link #TAIL} more. Bounded by {@link #MAX_MESSAGES}.
   *
   * @return how many messages were published
   */
  private Future<Integer> publishUntil(Predicate<JsonObject> stop, String otherwise) {
    return new BatchPublisher(BATCH, TAIL, MAX_MESSAGES, this::publish, fast::awaitAll, () -> node.status(RULE))
      .until(stop, otherwise);
  }

  /** Message number {@code i}: its number in 6 digits, then dots up to {@link #MESSAGE_SIZE}. */
  private void publish(int i) {
    StringBuilder sb = new StringBuilder(MESSAGE_SIZE).append(String.format(Locale.ROOT, "%06d", i));
    vertx.eventBus().publish("rule." + RULE, sb.append(".".repeat(MESSAGE_SIZE - sb.length())).toString());
  }

  /** Publishes sentinels with an acknowledgement until one reached all 100 clients; completes with its number. */
  private Future<Integer> sentinelToAll() {
    int[] k = {0};
    return Poll.until(vertx, "a sentinel reaches every client", () -> {
      int sentinel = k[0]++;
      return node.post("/publish/rule." + RULE + "?ack=true", new JsonObject().put("sentinel", sentinel)).map(r -> {
        assertEquals(200, r.statusCode(), r.bodyAsString());
        return r.bodyAsJsonObject().getInteger("delivered") == FAST + PAUSED ? sentinel : -1;
      });
    }, sentinel -> sentinel >= 0);
  }

  /** §4.2: a slow client never holds more than clientQueueBytes in wsink's queue. */
  private Future<Void> checkQueueBound() {
    return node.endpoint(PATH).map(e -> {
      long maxQueued = e.getLong("maxQueuedBytes");
      assertTrue(maxQueued > 0 && maxQueued <= QUEUE_BYTES, "queued at most clientQueueBytes: " + e.encode());
      return null;
    });
  }

  // ---- the clients ------------------------------------------------------------------------------------------------

  /** What the fast clients got: per client the next sequence number it expects; any gap or repeat is recorded. */
  private static final class FastClients {

    private final int[] next = new int[FAST];
    private final List<String> errors = new ArrayList<>();
    private final Conditions<FastClients> conditions;

    FastClients(Vertx vertx) {
      this.conditions = new Conditions<>(vertx, this, 30_000);
    }

    synchronized void received(int client, String text) {
      if (!Character.isDigit(text.charAt(0))) {
        return; // a sentinel row
      }
      int seq = Integer.parseInt(text.substring(0, 6));
      if (seq != next[client] && errors.size() < 20) {
        errors.add("client " + client + " got " + seq + " where " + next[client] + " was due");
      }
      next[client] = seq + 1;
      conditions.changed();
    }

    synchronized Future<Void> awaitAll(int n) {
      return conditions.await("every fast client has " + n + " messages", c -> c.least() >= n, this::toString);
    }

    private int least() {
      int least = Integer.MAX_VALUE;
      for (int n : next) {
        least = Math.min(least, n);
      }
      return least;
    }

    synchronized void check(int published) {
      assertEquals(List.of(), errors, "every fast client gets every message in order, each once");
      for (int i = 0; i < FAST; i++) {
        assertEquals(published, next[i], "fast client " + i);
      }
    }

    @Override
    public synchronized String toString() {
      return "fewest received " + least() + ", errors " + errors;
    }
  }

  /**
   * A paused client reading at last, on a thread of its own: records every text frame, data as its sequence number,
   * sentinel k as -(k + 1). Ends when the socket is closed (after the test) or silent for its 10 s read timeout.
   */
  private static final class PausedReader implements Runnable {

    private final Socket socket;
    private final List<Integer> frames = new ArrayList<>();

    private PausedReader(Socket socket) {
      this.socket = socket;
    }

    static PausedReader start(Socket socket) {
      PausedReader reader = new PausedReader(socket);
      Thread thread = new Thread(reader, "paused-reader");
      thread.setDaemon(true);
      thread.start();
      return reader;
    }

    @Override
    public void run() {
      try {
        DataInputStream in = new DataInputStream(socket.getInputStream());
        for (int i = 0; i < MAX_MESSAGES + 1000; i++) {
          ServerFrame f = RawWsClients.readFrame(in);
          if (f.opcode() == 1) {
            String text = f.text();
            int seq = text.contains("\"sentinel\"") ? -(new JsonArray(text).getJsonObject(0)
              .getInteger("sentinel") + 1) : Integer.parseInt(text.substring(0, 6));
            synchronized (this) {
              frames.add(seq);
            }
          }
        }
      } catch (IOException | RuntimeException e) {
        // closed by the test, or silent: what was read is recorded
      }
    }

    synchronized boolean sawSentinel(int k) {
      return frames.contains(-(k + 1));
    }

    /** The frames up to sentinel {@code last}, inclusive. */
    private synchronized List<Integer> upTo(int last) {
      return List.copyOf(frames.subList(0, frames.indexOf(-(last + 1)) + 1));
    }

    synchronized List<Integer> dataUpTo(int last) {
      return upTo(last).stream().filter(seq -> seq >= 0).toList();
    }

    /** Of the {@code published} data messages and sentinels 0..{@code last}, how many this client never got. */
    synchronized long missed(int published, int last) {
      List<Integer> got = upTo(last);
      int lastData = -1;
      for (int seq : got) {
        if (seq >= 0) {
          assertTrue(seq > lastData, "a paused client gets its messages in order, each once: " + seq + " after " + lastData);
          lastData = seq;
        }
      }
      return published + last + 1L - got.size();
    }

    @Override
    public synchronized String toString() {
      List<Integer> data = frames.stream().filter(seq -> seq >= 0).toList();
      return data.size() + " data messages" + (data.isEmpty() ? "" : ", first " + data.get(0) + ", last "
        + data.get(data.size() - 1)) + ", sentinels " + frames.stream().filter(seq -> seq < 0).map(s -> -s - 1).toList();
    }
  }
}
