package io.wsink.server;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.wsink.testkit.BatchPublisher;
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

import java.io.DataInputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import static io.wsink.testkit.Rules.SINK0;
import static io.wsink.testkit.Rules.rule;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * §4 {@code overflow} and {@code clientQueueBytes}, §4.2 "a slow client never delays the others and never grows the heap
 * past clientQueueBytes": one endpoint, a fast Vert.x client and a slow raw TCP client that does the WebSocket
 * handshake by hand and then stops reading.
 */
@ExtendWith(VertxExtension.class)
@io.vertx.junit5.Timeout(value = 25, timeUnit = TimeUnit.SECONDS)
class SlowClientTest {

  private static final String PATH = "/slow";
  private static final String RULE = "slow";
  private static final int QUEUE_BYTES = 65536;
  private static final int MESSAGE_SIZE = 1024;
  /**
   * Upper bound of what a test publishes. The slow connection's kernel buffers take megabytes on loopback (Linux
   * autotunes the send buffer up to tcp_wmem's maximum, 4 MiB by default) before wsink's own queue fills.
   */
  private static final int MAX_MESSAGES = 20_000;
  /** Messages published after the first drop, so that the slow client's queue overflows for good. */
  private static final int TAIL = 500;
  /** Messages published before waiting for the fast client to have them: it is fast, not infinitely buffered. */
  private static final int BATCH = 50;
  private static final String SENTINEL = "END";

  @TempDir
  Path dir;

  private Vertx vertx;
  private TestNode node;
  private final RawWsClients rawClients = new RawWsClients();

  @BeforeEach
  void startNode(Vertx vertx, VertxTestContext ctx) {
    this.vertx = vertx;
    TestNode.start(vertx, dir).onSuccess(n -> node = n).onComplete(ctx.succeedingThenComplete());
  }

  @AfterEach
  void closeRawSockets() throws IOException {
    rawClients.close();
  }

  @Test
  void dropOldestKeepsTheFastClientWholeAndTheSlowQueueBoundedAndKeepsTheNewest(VertxTestContext ctx) {
    dropScenario("drop-oldest")
      .map(slow -> {
        assertTrue(slow.seqs().contains(slow.published() - 1),
          "drop-oldest keeps the newest message for the slow client; it got " + slow);
        return null;
      })
      .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void dropOldestIsTheDefault(VertxTestContext ctx) {
    dropScenario(null)
      .map(slow -> {
        assertTrue(slow.seqs().contains(slow.published() - 1),
          "without overflow the newest message is kept (drop-oldest); it got " + slow);
        return null;
      })
      .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void dropNewestKeepsTheFastClientWholeAndTheSlowQueueBoundedAndDropsTheNewest(VertxTestContext ctx) {
    dropScenario("drop-newest")
      .map(slow -> {
        assertFalse(slow.seqs().contains(slow.published() - 1),
          "drop-newest drops what arrives while the slow client's queue is full; it got " + slow);
        return null;
      })
      .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void disconnectClosesTheSlowClientOnlyAndCountsIt(VertxTestContext ctx) {
    JsonObject props = new JsonObject().put("path", PATH).put("clientQueueBytes", QUEUE_BYTES)
      .put("overflow", "disconnect");
    node.createRule(rule(RULE, props))
      .compose(v -> WsClient.connect(vertx, node.dataUrl(PATH)))
      .compose(fast -> vertx.executeBlocking(() -> rawUpgrade(PATH), false)
        .compose(slow -> node.awaitClients(PATH, 2)
          .compose(x -> publishUntilOverflowed(fast))
          .map(published -> {
            checkFastClient(fast.messages(), published);
            assertFalse(fast.closed().isComplete(), "the fast client is not disconnected");
            return null;
          })
          .compose(x -> node.awaitStatus(RULE, "the slow client is disconnected and counted",
            st -> st.getInteger(SINK0 + "clients") == 1 && st.getLong(SINK0 + "clients_disconnected_total") >= 1))
          .map(st -> {
            assertEquals(1, st.getLong(SINK0 + "clients_disconnected_total"), st.encode());
            assertTrue(st.getLong(SINK0 + "records_dropped_total") > 0, "drops are counted: " + st.encode());
            return null;
          })
          // the server really closed the slow client's TCP connection: reading it now ends, it does not hang
          .compose(x -> vertx.executeBlocking(() -> RawWsClients.readUntilClosed(slow, MAX_MESSAGES + 1000), false))
          .map(end -> {
            assertNotEquals("timeout", end, "the slow client's connection must be closed by the server");
            if (end.startsWith("close ")) {
              assertEquals("close 1008", end, "a client dropped for being slow gets Policy Violation");
            }
            return null;
          })
          .compose(x -> endpointInfo())
          .map(info -> {
            assertEquals(1, info.getInteger("clients"), info.encode());
            assertTrue(info.getLong("maxQueuedBytes") <= QUEUE_BYTES, info.encode());
            return null;
          })))
      .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void aPeerThatStoppedReadingMidStreamIsStillClosedByTheDeadPeerCheck(VertxTestContext ctx) {
    // §4 pingInterval / §8: a connection silent for 3 intervals is closed, even when wsink has data queued for it.
    // The slow client never reads, but sends unsolicited Pongs (RFC 6455 §5.5.3, a heartbeat) until its buffers are
    // full, so that it is alive then and goes silent only with megabytes stuck on its way.
    JsonObject props = new JsonObject().put("path", PATH).put("clientQueueBytes", QUEUE_BYTES).put("pingInterval", 500);
    node.createRule(rule(RULE, props))
      .compose(v -> WsClient.connect(vertx, node.dataUrl(PATH)))
      .compose(fast -> vertx.executeBlocking(() -> rawUpgrade(PATH), false)
        .compose(slow -> {
          long heartbeat = vertx.setPeriodic(100, id -> vertx.executeBlocking(() -> sendPong(slow), false));
          return node.awaitClients(PATH, 2)
            .compose(x -> publishUntilOverflowed(fast))
            .compose(published -> node.status(RULE))
            .eventually(() -> {
              vertx.cancelTimer(heartbeat); // from now on the slow client is silent
              return Future.succeededFuture();
            })
            .map(st -> {
              assertEquals(2, st.getInteger(SINK0 + "clients"), "a client that sends Pongs is alive: " + st.encode());
              return null;
            })
            .compose(x -> node.awaitStatus(RULE, "the peer that went silent is closed",
              st -> st.getInteger(SINK0 + "clients") == 1, 140))
            .compose(x -> vertx.executeBlocking(() -> RawWsClients.readUntilClosed(slow, MAX_MESSAGES + 1000), false))
            .map(end -> {
              assertNotEquals("timeout", end, "the dead peer's connection must be closed by the server");
              assertFalse(fast.closed().isComplete(), "the client that answers pings stays connected");
              return null;
            });
        }))
      .onComplete(ctx.succeedingThenComplete());
  }

  // ---- scenario ------------------------------------------------------------------------------------------------

  /** What the slow client got: the sequence numbers of the data messages, of {@code published} sent. */
  private record SlowView(int published, List<Integer> seqs) {
    @Override
    public String toString() {
      if (seqs.isEmpty()) {
        return "nothing of " + published;
      }
      return seqs.size() + " of " + published + " messages, first " + seqs.get(0) + ", last " + seqs.get(seqs.size() - 1)
        + (seqs.size() > 10 ? ", tail " + seqs.subList(seqs.size() - 10, seqs.size()) : ", all " + seqs);
    }
  }

  /**
   * Publishes 1 KiB messages with a slow and a fast client until the slow one overflows, checks what every drop policy
   * shares (fast client complete and in order, bounded queue, drops counted, slow client still connected), then lets
   * the slow client read and returns what it got.
   */
  private Future<SlowView> dropScenario(String overflow) {
    JsonObject props = new JsonObject().put("path", PATH).put("clientQueueBytes", QUEUE_BYTES);
    if (overflow != null) {
      props.put("overflow", overflow);
    }
    return node.createRule(rule(RULE, props))
      .compose(v -> WsClient.connect(vertx, node.dataUrl(PATH)))
      .compose(fast -> vertx.executeBlocking(() -> rawUpgrade(PATH), false)
        .compose(slow -> node.awaitClients(PATH, 2)
          .compose(x -> publishUntilOverflowed(fast))
          .compose(published -> {
            checkFastClient(fast.messages(), published);
            return node.status(RULE).compose(st -> {
              assertTrue(st.getLong(SINK0 + "records_dropped_total") > 0, st.encode());
              assertEquals(2, st.getInteger(SINK0 + "clients"), "dropping never disconnects: " + st.encode());
              assertEquals(0, st.getLong(SINK0 + "clients_disconnected_total", 0L), st.encode());
              assertEquals(published, st.getLong(SINK0 + "records_out_total").intValue(), st.encode());
              return endpointInfo();
            }).compose(info -> {
              long maxQueued = info.getLong("maxQueuedBytes");
              assertTrue(maxQueued > 0, "the slow client's queue was used: " + info.encode());
              assertTrue(maxQueued <= QUEUE_BYTES, "never more than clientQueueBytes queued: " + info.encode());
              // now the slow client reads; a sentinel that reaches it marks the end of what it was sent
              Future<List<Integer>> read = vertx.executeBlocking(() -> readUntilSentinel(slow, published), false);
              return sendSentinelUntilBothTakeIt().compose(y -> read);
            }).map(seqs -> new SlowView(published, seqs));
          })
          .map(view -> {
            assertTrue(view.seqs().size() < view.published(), "the slow client missed messages: " + view);
            for (int i = 1; i < view.seqs().size(); i++) {
              assertTrue(view.seqs().get(i) > view.seqs().get(i - 1),
                "what the slow client gets is in order, each once: " + view);
            }
            assertFalse(fast.closed().isComplete(), "the fast client is still connected");
            return view;
          })));
  }

  /**
   * Publishes batch after batch, each once the fast client has the previous one, until the rule status shows a drop
   * (the kernel buffers of the slow connection, megabytes on loopback, are full by then), then {@link #TAIL} more.
   *
   * @return how many messages were published
   */
  private Future<Integer> publishUntilOverflowed(WsClient fast) {
    return new BatchPublisher(BATCH, TAIL, MAX_MESSAGES, i -> vertx.eventBus().publish("rule." + RULE, payload(i)),
      fast::awaitMessages, () -> node.status(RULE))
      .until(st -> st.getLong(SINK0 + "records_dropped_total") > 0,
        "no message of " + MESSAGE_SIZE + " bytes dropped for a client that does not read");
  }

  /**
   * Publishes a short sentinel with an acknowledgement until it reached both clients (with drop-newest it is dropped
   * for the slow client while its queue is still full).
   */
  private Future<JsonObject> sendSentinelUntilBothTakeIt() {
    int[] k = {0};
    return Poll.until(vertx, "a sentinel reaches both clients", () -> node.post("/publish/rule." + RULE + "?ack=true",
        new JsonObject().put("sentinel", k[0]++)).map(r -> {
          assertEquals(200, r.statusCode(), r.bodyAsString());
          return r.bodyAsJsonObject();
        }),
      ack -> ack.getInteger("delivered") == 2);
  }

  private static void checkFastClient(List<Object> got, int n) {
    assertTrue(got.size() >= n, "the fast client got " + got.size() + " of " + n);
    for (int i = 0; i < n; i++) {
      Object m = got.get(i);
      if (!payload(i).equals(m)) {
        throw new AssertionError("the fast client's message " + i + " is "
          + (m instanceof String s ? s.substring(0, Math.min(12, s.length())) + "…" : m) + ", expected " + i);
      }
    }
  }

  private static String payload(int i) {
    StringBuilder sb = new StringBuilder(MESSAGE_SIZE).append(String.format(Locale.ROOT, "%06d", i));
    sb.append(".".repeat(MESSAGE_SIZE - sb.length()));
    return sb.toString();
  }

  // ---- REST ----------------------------------------------------------------------------------------------------

  private Future<JsonObject> endpointInfo() {
    return node.endpoint(PATH).map(e -> {
      assertNotNull(e, "endpoint " + PATH + " not listed");
      return e;
    });
  }

  // ---- the slow client: a raw socket -------------------------------------------------------------------------

  /** Handshake by hand on a socket with a small receive window, then nothing is read until the test says so. */
  private Socket rawUpgrade(String path) throws IOException {
    return rawClients.upgrade(node.dataPort(), path, 4096);
  }

  /** An unsolicited, empty, masked Pong frame from the client (RFC 6455 §5.5.3: a unidirectional heartbeat). */
  private static Void sendPong(Socket socket) throws IOException {
    if (!socket.isClosed()) {
      socket.getOutputStream().write(new byte[] {(byte) 0x8A, (byte) 0x80, 1, 2, 3, 4});
      socket.getOutputStream().flush();
    }
    return null;
  }

  /** Reads text frames until a sentinel; returns the sequence numbers of the data messages before it. */
  private static List<Integer> readUntilSentinel(Socket socket, int published) throws IOException {
    socket.setReceiveBufferSize(1 << 20); // a wider window now, so that the backlog drains quickly
    DataInputStream in = new DataInputStream(socket.getInputStream());
    List<Integer> seqs = new ArrayList<>();
    for (int frames = 0; frames < published + 1000; frames++) { // bounded; soTimeout bounds each read
      ServerFrame f = RawWsClients.readFrame(in);
      if (f.opcode() == 1) {
        String text = f.text();
        if (text.contains("\"sentinel\"")) {
          return seqs;
        }
        seqs.add(Integer.parseInt(text.substring(0, 6)));
      } else if (f.opcode() == 8) {
        throw new IOException("the slow client was closed: " + f.closeCode());
      }
      // pings and other control frames: ignored
    }
    throw new IOException("no sentinel within " + (published + 1000) + " frames");
  }
}
