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
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** {@code checkConnection} of a server-mode rule (§4.3) through the fat jar's REST API. */
@Timeout(60)
class CheckConnectionIT {

  private static final JsonObject CHECKED_RULE = new JsonObject().put("id", "checked")
    .put("actions", new JsonArray().add(new JsonObject().put("websocket",
      new JsonObject().put("path", "/x").put("checkConnection", true).put("sendSingle", true))));

  @RegisterExtension
  final ItResources resources = new ItResources();

  @TempDir
  Path dir;

  @Test
  void aRuleIsRefusedUntilItsEndpointHasAClientThenCreatedAndDelivering() {
    WsinkProcess wsink = WsinkProcess.startNode(resources, dir);

    // no endpoint at all: the data server is not running
    assertRefused(wsink, "http server is not initialized");

    // the data server runs for another endpoint, but /x is not registered
    assertEquals(200, wsink.post("/connection/websocket", new JsonObject().put("endpoint", "/other")).statusCode());
    assertRefused(wsink, "websocket has no endpoint /x");

    // /x is registered but nobody is connected
    assertEquals(200, wsink.post("/connection/websocket?endpoint=/x", null).statusCode());
    assertRefused(wsink, "websocket endpoint /x has no connection");

    JwsClient client = JwsClient.connect(resources, wsink.dataUrl("/x"));
    wsink.awaitClients("/x", 1);
    wsink.createRule(CHECKED_RULE);
    assertEquals("running", wsink.status("checked").getString("status"));

    wsink.publish("rule.checked", new JsonObject().put("checked", "yes"));
    assertEquals(List.of("{\"checked\":\"yes\"}"), client.awaitMessages(1, Duration.ofSeconds(20)));
  }

  private static void assertRefused(WsinkProcess wsink, String message) {
    HttpResponse<String> r = wsink.post("/rules", CHECKED_RULE);
    assertEquals(400, r.statusCode(), r::body);
    assertEquals(new JsonObject().put("error", 4000).put("message", message), new JsonObject(r.body()));
    // nothing stored or started for a refused rule
    assertEquals(new JsonArray(), wsink.getArray("/rules"));
    assertEquals(404, wsink.get("/rules/checked").statusCode());
  }
}
