package io.wsink.it;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Issue 6.4, fault 4 — SIGTERM under load (§1): while a producer publishes steadily over REST, to a server-mode rule
 * with several clients and to a client-mode rule whose remote reads slowly, the signal comes. The node exits with 0
 * within the 5 s flush bound plus a margin, closes every WebSocket with 1001, and what each client and the remote
 * received is an unbroken prefix of what was published — with everything published before the signal in it: queued
 * messages were flushed, not dropped. ({@link ShutdownIT} covers a signal after the publishing is done.)
 */
@Timeout(90)
class ShutdownUnderLoadIT {

  private static final int CLIENTS = 3;
  /** Rows of 40 kB for the remote: a few hundred fill the socket buffers, and then wsink's own queue. */
  private static final int PAD = 40_000;
  /** The producer's bound, under the default bufferLength (1024): wsink never has to drop for lack of room. */
  private static final int MAX_ROWS = 900;
  /** The signal comes once the remote's queue in wsink holds at least this many rows, and the producer is still on. */
  private static final int QUEUED = 20;
  private static final Duration EXIT_WITHIN = Duration.ofSeconds(10);
  private static final Duration WAIT = Duration.ofSeconds(20);

  @RegisterExtension
  final ItResources resources = new ItResources();

  @TempDir
  Path dir;

  @Test
  void sigtermWhilePublishingFlushesEveryQueueClosesEverySocketWith1001AndExitsZero() throws Exception {
    PacedWsServer remote = PacedWsServer.start(resources);
    WsinkProcess wsink = WsinkProcess.startNode(resources, dir);
    // both rules consume the same address; the server-mode one sends only the sequence number
    wsink.createRule(rule("fan", new JsonObject().put("path", "/fan").put("fields", new JsonArray().add("seq"))));
    wsink.createRule(rule("out", new JsonObject().put("addr", "127.0.0.1:" + remote.port()).put("path", "/out")));
    List<JwsClient> clients = new ArrayList<>();
    for (int i = 0; i < CLIENTS; i++) {
      clients.add(JwsClient.connect(resources, wsink.dataUrl("/fan")));
    }
    wsink.awaitClients("/fan", CLIENTS);
    Poll.until("the client-mode connection", WAIT, () -> wsink.status("out"),
      s -> Integer.valueOf(1).equals(s.getInteger("sink_websocket_0_0_connection_status")));

    AtomicInteger published = new AtomicInteger(); // rows the API answered 202 for, in order
    AtomicBoolean stop = new AtomicBoolean();
    AtomicReference<String> producerEnd = new AtomicReference<>("still running");
    ExecutorService producer = Executors.newSingleThreadExecutor();
    Future<?> producing = producer.submit(() -> {
      try {
        for (int seq = 0; seq < MAX_ROWS && !stop.get(); seq++) {
          HttpResponse<String> r = wsink.post("/publish/load", new JsonObject().put("seq", seq).put("pad", "x".repeat(PAD)));
          if (r.statusCode() != 202) {
            producerEnd.set("POST " + seq + " answered " + r.statusCode() + ": " + r.body());
            return;
          }
          published.incrementAndGet();
        }
        producerEnd.set("stopped after " + published.get() + " rows");
      } catch (AssertionError e) { // the node went away under the request: expected once it stops
        producerEnd.set("POST failed: " + e.getMessage());
      }
    });

    JsonObject queued;
    int beforeSignal;
    try {
      queued = Poll.until(QUEUED + " rows queued in wsink for the slow remote", WAIT, () -> wsink.status("out"),
        s -> s.getInteger("sink_websocket_0_0_buffer_length", 0) >= QUEUED || producing.isDone());
      beforeSignal = published.get();
      assertTrue(!producing.isDone(), "the producer is still publishing when the signal comes: " + producerEnd.get()
        + "; " + queued.encode());
      wsink.sigterm();
      remote.release(4, 5); // reads again, 4 rows every 5 ms
      assertEquals(0, wsink.exitCode(EXIT_WITHIN), wsink::log);
    } finally {
      stop.set(true);
      producer.shutdown();
    }
    try {
      producing.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException | ExecutionException e) {
      fail("the producer did not end: " + e);
    }
    assertEquals("", wsink.stderr(), "a clean stop reports nothing on stderr");

    int total = published.get();
    ItResources.trace("published " + beforeSignal + " rows before SIGTERM, " + total + " in all; " + producerEnd.get());
    for (int i = 0; i < CLIENTS; i++) {
      JwsClient.Close close = clients.get(i).awaitClose(WAIT);
      assertEquals(1001, close.code(), close::toString);
      assertPrefix("client " + i, clients.get(i).messages(), beforeSignal, total);
    }
    assertEquals(List.of(1001), remote.awaitCloses(1, WAIT), "the remote was told: going away");
    assertPrefix("the remote", remote.messages(), beforeSignal, total);
    System.out.printf("ShutdownUnderLoadIT: %d rows published before SIGTERM (%d queued in wsink for the remote), %d"
        + " in all; clients received %s, the remote %d%n", beforeSignal, queued.getInteger("sink_websocket_0_0_buffer_length"),
      total, clients.stream().map(c -> String.valueOf(c.messages().size())).toList(), remote.messages().size());
  }

  /**
   * {@code messages} are rows 0, 1, …, n − 1, once each, in order (an unbroken prefix of what was published) with
   * {@code atLeast} ≤ n ≤ {@code atMost}: everything published before the signal is there.
   */
  private static void assertPrefix(String who, List<String> messages, int atLeast, int atMost) {
    for (int i = 0; i < messages.size(); i++) {
      int seq = new JsonObject(messages.get(i)).getInteger("seq");
      if (seq != i) {
        fail(who + ": message " + i + " is row " + seq + " (" + (seq < i ? "twice or out of order" : "rows " + i + ".."
          + (seq - 1) + " missing") + ")");
      }
    }
    assertTrue(messages.size() >= atLeast, who + " received " + messages.size() + " rows, but " + atLeast
      + " were published before the signal: queued rows were dropped");
    // the request in flight when the API closed may have been published without its 202 reaching the producer
    assertTrue(messages.size() <= atMost + 1, who + " received " + messages.size() + " rows of " + atMost + " published");
  }

  private static JsonObject rule(String id, JsonObject websocket) {
    return new JsonObject().put("id", id).put("from", "load")
      .put("actions", new JsonArray().add(new JsonObject().put("websocket", websocket.put("sendSingle", true))));
  }
}
