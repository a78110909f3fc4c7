package io.wsink.server;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
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
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import static io.wsink.testkit.Rules.SINK0;
import static io.wsink.testkit.Rules.rule;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code overflow: block}: a client over its queue limit holds back the acknowledgements of the rule's frames instead
 * of losing any, so a producer that keeps a window of requests slows down to the slowest client; messages sent without
 * an acknowledgement cannot be held back and are dropped past twice the limit. The slow client is a raw TCP socket that
 * does the handshake and then reads nothing until the test says so; what it gets is read frame by frame.
 */
@ExtendWith(VertxExtension.class)
@io.vertx.junit5.Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class BlockingOverflowTest {

  private static final String PATH = "/blocking";
  private static final String RULE = "blocking";
  private static final String FROM = "rule." + RULE;
  private static final int QUEUE_BYTES = 65536;
  private static final int MESSAGE_SIZE = 1024;
  /** 10 MiB: more than the kernel buffers of a loopback connection that nobody reads (up to 4 MiB) and the queue. */
  private static final int MESSAGES = 10_000;
  private static final int WINDOW = 16;
  /**
   * Where the drop policies drop: clientQueueBytes less what the socket itself buffers (a quarter of it here). Only
   * {@code block} queues more.
   */
  private static final long DROP_LIMIT = QUEUE_BYTES - QUEUE_BYTES / 4;

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
  void aClientThatDoesNotReadHoldsTheProducerBackAndNothingIsLost(VertxTestContext ctx) {
    nothingLost(blockingProps()).onComplete(ctx.succeedingThenComplete());
  }

  /** A template (which raw text skips) keeps the sink on its own event loop: frames reach the endpoint by request. */
  @Test
  void theSameHoldsForASinkThatSendsItsFramesOverTheEventBus(VertxTestContext ctx) {
    nothingLost(blockingProps().put("dataTemplate", "{{.x}}")).onComplete(ctx.succeedingThenComplete());
  }

  private Future<Void> nothingLost(JsonObject props) {
    return blocked(props)
      .compose(b -> {
        assertTrue(b.producer().acked < MESSAGES, "the producer is held back: " + b.producer());
        Future<Integer> read = vertx.executeBlocking(() -> readInOrder(b.slow(), MESSAGES), false);
        return Future.all(b.produced(), read, b.fast().awaitMessages(MESSAGES)).map(all -> {
          assertEquals(MESSAGES, (Integer) all.resultAt(1), "the slow client got every message, in order");
          for (int i = 0; i < MESSAGES; i++) {
            assertEquals(payload(i), b.fast().messages().get(i), "the fast client's message " + i);
          }
          return null;
        });
      })
      .compose(v -> node.status(RULE))
      .compose(st -> {
        assertEquals(0, st.getLong(SINK0 + "records_dropped_total"), "nothing dropped: " + st.encode());
        assertEquals(MESSAGES, st.getLong(SINK0 + "records_out_total").intValue(), st.encode());
        return node.endpoint(PATH);
      })
      .map(info -> {
        long maxQueued = info.getLong("maxQueuedBytes");
        assertTrue(maxQueued <= 2L * QUEUE_BYTES, "the queue stays bounded: " + info.encode());
        return null;
      });
  }

  @Test
  void closingTheBlockingClientReleasesTheHeldAcknowledgements(VertxTestContext ctx) {
    blocked(blockingProps())
      .compose(b -> vertx.executeBlocking(() -> {
          b.slow().setSoLinger(true, 0); // a reset: the server sees the client gone at once
          b.slow().close();
          return null;
        }, false)
        .compose(v -> Future.all(b.produced(), b.fast().awaitMessages(MESSAGES)))
        .compose(all -> node.awaitStatus(RULE, "one client left", st -> st.getInteger(SINK0 + "clients") == 1))
        .map(st -> {
          assertEquals(MESSAGES, b.producer().acked, "every request was acknowledged once the slow client was gone");
          assertEquals(payload(MESSAGES - 1), b.fast().messages().get(MESSAGES - 1));
          assertTrue(st.getLong(SINK0 + "records_dropped_total") > 0,
            "what was queued for the client that went away is counted as dropped: " + st.encode());
          return null;
        }))
      .onComplete(ctx.succeedingThenComplete());
  }

  /** A rule, a fast client, a slow one that reads nothing, and a producer that runs until the slow one blocks it. */
  private record Blocked(WsClient fast, Socket slow, WindowedProducer producer, Future<Void> produced) {
  }

  private Future<Blocked> blocked(JsonObject props) {
    WindowedProducer producer = new WindowedProducer();
    return node.createRule(rule(RULE, props))
      .compose(v -> WsClient.connect(vertx, node.dataUrl(PATH)))
      .compose(fast -> vertx.executeBlocking(() -> rawClients.upgrade(node.dataPort(), PATH, 4096), false)
        .compose(slow -> node.awaitClients(PATH, 2).compose(x -> {
          Future<Void> produced = producer.run();
          // the slow client's queue goes past where the drop policies drop: it is blocking now
          return awaitQueuedOver(DROP_LIMIT).map(info -> new Blocked(fast, slow, producer, produced));
        })));
  }

  @Test
  void messagesSentWithoutAnAcknowledgementAreDroppedPastTwiceTheLimit(VertxTestContext ctx) {
    node.createRule(rule(RULE, blockingProps()))
      .compose(v -> WsClient.connect(vertx, node.dataUrl(PATH)))
      .compose(fast -> vertx.executeBlocking(() -> rawClients.upgrade(node.dataPort(), PATH, 4096), false)
        .compose(slow -> node.awaitClients(PATH, 2)
          .compose(x -> new BatchPublisher(50, 500, 20_000, i -> vertx.eventBus().publish(FROM, payload(i)),
            fast::awaitMessages, () -> node.status(RULE))
            .until(st -> st.getLong(SINK0 + "records_dropped_total") > 0,
              "no message dropped for a client that does not read, with nothing to hold back"))
          .compose(published -> node.endpoint(PATH))
          .map(info -> {
            long maxQueued = info.getLong("maxQueuedBytes");
            assertTrue(maxQueued > DROP_LIMIT, "queued past the drop policies' limit first: " + info.encode());
            assertTrue(maxQueued <= 2L * QUEUE_BYTES, "but never past twice clientQueueBytes: " + info.encode());
            return null;
          })))
      .onComplete(ctx.succeedingThenComplete());
  }

  private static JsonObject blockingProps() {
    return new JsonObject().put("path", PATH).put("clientQueueBytes", QUEUE_BYTES).put("overflow", "block")
      .put("sendSingle", true);
  }

  /** Polls the endpoint until one client had more than {@code bytes} queued. */
  private Future<JsonObject> awaitQueuedOver(long bytes) {
    return Poll.until(vertx, "a client with more than " + bytes + " bytes queued", 400, 50, () -> node.endpoint(PATH),
      info -> info != null && info.getLong("maxQueuedBytes") > bytes);
  }

  /** Requests {@link #MESSAGES} messages with at most {@link #WINDOW} unacknowledged, on the test's event loop. */
  private final class WindowedProducer {
    private static final DeliveryOptions REQUEST = new DeliveryOptions().setSendTimeout(50_000);
    private final Promise<Void> done = Promise.promise();
    private volatile int sent;
    private volatile int acked;

    Future<Void> run() {
      vertx.runOnContext(v -> fill());
      return done.future();
    }

    private void fill() {
      while (sent < MESSAGES && sent - acked < WINDOW) {
        vertx.eventBus().request(FROM, payload(sent++), REQUEST).onComplete(ar -> {
          if (ar.failed()) {
            done.tryFail(ar.cause());
            return;
          }
          if (++acked == MESSAGES) {
            done.tryComplete();
          } else {
            fill();
          }
        });
      }
    }

    @Override
    public String toString() {
      return sent + " sent, " + acked + " acknowledged";
    }
  }

  /** Reads {@code count} data frames and checks they are messages 0..count-1 in order; returns how many it read. */
  private static int readInOrder(Socket socket, int count) throws IOException {
    socket.setReceiveBufferSize(1 << 20);
    DataInputStream in = new DataInputStream(socket.getInputStream());
    int next = 0;
    for (int frames = 0; next < count && frames < count + 1000; frames++) { // bounded; soTimeout bounds each read
      ServerFrame f = RawWsClients.readFrame(in);
      if (f.opcode() == 1) {
        String text = f.text();
        if (!text.equals(payload(next))) {
          throw new AssertionError("the slow client's message " + next + " is " + text.substring(0, 6) + "…");
        }
        next++;
      } else if (f.opcode() == 8) {
        throw new IOException("the slow client was closed: " + f.closeCode());
      }
    }
    return next;
  }

  private static String payload(int i) {
    StringBuilder sb = new StringBuilder(MESSAGE_SIZE).append(String.format(Locale.ROOT, "%06d", i));
    return sb.append(".".repeat(MESSAGE_SIZE - sb.length())).toString();
  }
}
