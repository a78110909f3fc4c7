package io.wsink.it;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.wsink.testkit.TestNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * SIGTERM (§1): stop accepting work, flush what is queued (at most 5 s), close every WebSocket with 1001, exit 0.
 * The exit must come within 10 s.
 */
@Timeout(60)
class ShutdownIT {

  private static final int MESSAGES = 100;
  private static final int LAST_BATCH = 2000;
  private static final Duration EXIT_WITHIN = Duration.ofSeconds(10);
  private static final Duration WAIT = Duration.ofSeconds(10);

  @RegisterExtension
  final ItResources resources = new ItResources();

  @TempDir
  Path dir;

  @Test
  void sigtermFlushesToEveryClientClosesWith1001AndExitsZero() {
    WsinkProcess wsink = WsinkProcess.startNode(resources, dir);
    wsink.createRule(rule("down", new JsonObject().put("path", "/down")));
    JwsClient first = JwsClient.connect(resources, wsink.dataUrl("/down"));
    JwsClient second = JwsClient.connect(resources, wsink.dataUrl("/down"));
    wsink.awaitClients("/down", 2);

    List<String> expected = publish(wsink, "rule.down");
    wsink.sigterm();

    assertEquals(0, wsink.exitCode(EXIT_WITHIN), wsink::log);
    assertEquals("", wsink.stderr(), "a clean stop reports nothing on stderr");
    for (JwsClient client : List.of(first, second)) {
      JwsClient.Close close = client.awaitClose(WAIT);
      assertEquals(1001, close.code(), close::toString);
      JwsClient.assertMessages(expected, client.messages(),
        "every message published before SIGTERM, once, in order");
    }
  }

  @Test
  void sigtermFlushesAClientModeConnectionAndClosesItWith1001() {
    JwsServer server = JwsServer.plain(resources);
    WsinkProcess wsink = WsinkProcess.startNode(resources, dir);
    wsink.createRule(rule("out", new JsonObject().put("addr", "127.0.0.1:" + server.port()).put("path", "/out")));
    Poll.until("the client-mode connection", WAIT, () -> wsink.status("out"),
      s -> Integer.valueOf(1).equals(s.getInteger("sink_websocket_0_0_connection_status")));

    List<String> expected = publish(wsink, "rule.out");
    wsink.sigterm();

    assertEquals(0, wsink.exitCode(EXIT_WITHIN), wsink::log);
    assertEquals("", wsink.stderr(), "a clean stop reports nothing on stderr");
    assertEquals(List.of(1001), server.awaitCloses(1, WAIT));
    JwsClient.assertMessages(expected, server.messages(), "every message published before SIGTERM, once, in order");
  }

  @Test
  void sigtermWithMessagesWaitingForAnUnreachableServerStillExitsZeroInTime() {
    int nobody = TestNode.freePort(); // nothing listens there
    WsinkProcess wsink = WsinkProcess.startNode(resources, dir);
    wsink.createRule(rule("stuck", new JsonObject().put("addr", "127.0.0.1:" + nobody).put("path", "/stuck")));
    for (int seq = 0; seq < 20; seq++) {
      wsink.publish("rule.stuck", new JsonObject().put("seq", seq));
    }
    Poll.until("20 messages waiting in the sink buffer", WAIT, () -> wsink.status("stuck"),
      s -> s.getInteger("sink_websocket_0_0_buffer_length", -1) == 20);

    wsink.sigterm();

    // the flush is bounded (5 s): what cannot be written does not hold the stop
    assertEquals(0, wsink.exitCode(EXIT_WITHIN), wsink::log);
  }

  private static JsonObject rule(String id, JsonObject websocket) {
    return new JsonObject().put("id", id)
      .put("actions", new JsonArray().add(new JsonObject().put("websocket", websocket.put("sendSingle", true))));
  }

  /**
   * {@link #MESSAGES} rows one by one, then {@link #LAST_BATCH} rows in one result set (one frame each, sendSingle),
   * so that frames are still on their way when the signal comes right after.
   */
  private static List<String> publish(WsinkProcess wsink, String address) {
    List<String> expected = new ArrayList<>();
    for (int seq = 0; seq < MESSAGES; seq++) {
      JsonObject row = new JsonObject().put("seq", seq);
      wsink.publish(address, row);
      expected.add(row.encode());
    }
    JsonArray batch = new JsonArray();
    for (int seq = MESSAGES; seq < MESSAGES + LAST_BATCH; seq++) {
      JsonObject row = new JsonObject().put("seq", seq).put("pad", "x".repeat(200));
      batch.add(row);
      expected.add(row.encode());
    }
    HttpResponse<String> r = wsink.post("/publish/" + address, batch);
    assertEquals(202, r.statusCode(), r::body);
    return expected;
  }
}
