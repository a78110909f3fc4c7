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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Server mode of the fat jar, driven over REST, with Java-WebSocket clients on wsink's data server. */
@Timeout(60)
class ServerModeIT {

  private static final int MESSAGES = 300;
  private static final Duration WAIT = Duration.ofSeconds(20);

  @RegisterExtension
  final ItResources resources = new ItResources();

  @TempDir
  Path dir;

  @Test
  void everyClientReceivesEveryMessageOnceAndInOrder() {
    WsinkProcess wsink = WsinkProcess.startNode(resources, dir);
    wsink.createRule(new JsonObject().put("id", "fan")
      .put("actions", new JsonArray().add(new JsonObject().put("websocket",
        new JsonObject().put("path", "/fan").put("sendSingle", true)))));

    List<JwsClient> clients = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      clients.add(JwsClient.connect(resources, wsink.dataUrl("/fan")));
    }
    wsink.awaitClients("/fan", 3);
    assertEquals(3, wsink.status("fan").getInteger("sink_websocket_0_0_clients"));

    List<String> expected = new ArrayList<>();
    for (int seq = 0; seq < MESSAGES; seq++) {
      JsonObject row = new JsonObject().put("seq", seq).put("text", "message " + seq);
      wsink.publish("rule.fan", row);
      expected.add(row.encode());
    }
    // a last message: once it is in, anything sent twice before it would have shown up too
    JsonObject end = new JsonObject().put("seq", "end");
    wsink.publish("rule.fan", end);
    expected.add(end.encode());

    for (int i = 0; i < clients.size(); i++) {
      List<String> got = clients.get(i).awaitUntil(all -> all.contains(end.encode()), "the end message", WAIT);
      JwsClient.assertMessages(expected, got, "client " + i + " must receive each of the " + MESSAGES
        + " messages once, in order");
    }
    JsonObject status = wsink.status("fan");
    assertEquals(MESSAGES + 1, status.getLong("sink_websocket_0_0_records_in_total"), status::encode);
    assertEquals(0, status.getLong("sink_websocket_0_0_records_dropped_total"), status::encode);
  }

  @Test
  void restRegistrationServesAnEndpointThatRefusesPlainHttp() {
    WsinkProcess wsink = WsinkProcess.startNode(resources, dir);

    HttpResponse<String> registered = wsink.post("/connection/websocket", new JsonObject().put("endpoint", "/reg"));
    assertEquals(200, registered.statusCode(), registered::body);
    HttpResponse<String> exists = wsink.get("/connection/websocket?endpoint=/reg");
    assertEquals(200, exists.statusCode(), exists::body);
    assertEquals("true", exists.body());

    JwsClient client = JwsClient.connect(resources, wsink.dataUrl("/reg"));
    wsink.awaitClients("/reg", 1);
    JsonObject listed = wsink.getArray("/connection/websocket").stream().map(JsonObject.class::cast)
      .filter(e -> "/reg".equals(e.getString("endpoint"))).findFirst().orElseThrow();
    assertEquals(new JsonArray().add("rest"), listed.getJsonArray("holders"), listed::encode);

    HttpResponse<String> plain = WsinkProcess.plainGet("http://127.0.0.1:" + wsink.dataPort() + "/reg");
    assertEquals(400, plain.statusCode(), () -> "a plain GET on an endpoint: " + plain.body());
    HttpResponse<String> unknown = WsinkProcess.plainGet("http://127.0.0.1:" + wsink.dataPort() + "/nothing-here");
    assertEquals(404, unknown.statusCode(), () -> "a plain GET on an unknown path: " + unknown.body());
    JwsClient.Close refused = JwsClient.connectRefused(resources, wsink.dataUrl("/nothing-here"));
    assertTrue(refused.reason().contains("404"), () -> "an upgrade on an unknown path: " + refused);

    // the registration is the endpoint's only holder: removing it closes its client with 1001 (§4.2)
    HttpResponse<String> removed = wsink.delete("/connection/websocket?endpoint=/reg");
    assertEquals(200, removed.statusCode(), removed::body);
    assertEquals(1001, client.awaitClose(WAIT).code());
    assertEquals("false", wsink.get("/connection/websocket?endpoint=/reg").body());
  }
}
