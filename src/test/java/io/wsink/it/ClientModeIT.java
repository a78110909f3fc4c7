package io.wsink.it;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Client mode of the fat jar against a Java-WebSocket server that goes away and comes back (§4.1). */
@Timeout(90)
class ClientModeIT {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String STATUS = "sink_websocket_0_0_connection_status";

  @RegisterExtension
  final ItResources resources = new ItResources();

  @TempDir
  Path dir;

  @Test
  void messagesPublishedWhileTheServerIsDownArriveInOrderAfterItIsBack() {
    JwsServer server = JwsServer.plain(resources);
    int port = server.port();
    WsinkProcess wsink = WsinkProcess.startNode(resources, dir);
    wsink.createRule(new JsonObject().put("id", "push")
      .put("actions", new JsonArray().add(new JsonObject().put("websocket", new JsonObject()
        .put("addr", "127.0.0.1:" + port).put("path", "/in").put("sendSingle", true)))));
    awaitConnectionStatus(wsink, 1);

    List<String> expected = new ArrayList<>();
    publish(wsink, 0, 5, expected);
    assertEquals(expected, server.awaitMessages(5, WAIT));
    assertEquals(List.of("/in"), server.paths());

    server.stop();
    awaitConnectionStatus(wsink, -1, 0); // the sink saw the connection go
    // fewer than bufferLength (1024): all of them wait for the reconnect
    publish(wsink, 5, 25, expected);
    JsonObject waiting = Poll.until("20 messages waiting in the sink buffer", WAIT, () -> wsink.status("push"),
      s -> s.getInteger("sink_websocket_0_0_buffer_length", -1) == 20);
    assertEquals(0, waiting.getLong("sink_websocket_0_0_records_dropped_total"), waiting::encode);
    assertEquals(25, waiting.getLong("sink_websocket_0_0_records_in_total"), waiting::encode);

    server.start(port);
    assertEquals(expected, server.awaitMessages(25, WAIT),
      "the 20 messages published while the server was down arrive after the 5 before, in order, once");
    publish(wsink, 25, 30, expected);
    assertEquals(expected, server.awaitMessages(30, WAIT), "then the new ones follow");

    JsonObject status = awaitConnectionStatus(wsink, 1);
    assertEquals(0, status.getInteger("sink_websocket_0_0_buffer_length"), status::encode);
    assertTrue(status.getLong("sink_websocket_0_0_connection_reconnects", 0L) >= 1, status::encode);
    assertEquals(2, server.opened(), "one connection before the outage, one after");
  }

  private static void publish(WsinkProcess wsink, int from, int to, List<String> expected) {
    for (int seq = from; seq < to; seq++) {
      JsonObject row = new JsonObject().put("seq", seq);
      wsink.publish("rule.push", row);
      expected.add(row.encode());
    }
  }

  private static JsonObject awaitConnectionStatus(WsinkProcess wsink, int... wanted) {
    return Poll.until(STATUS + " in " + Arrays.toString(wanted), WAIT, () -> wsink.status("push"), s -> {
      Integer value = s.getInteger(STATUS);
      return value != null && Arrays.stream(wanted).anyMatch(w -> w == value);
    });
  }
}
