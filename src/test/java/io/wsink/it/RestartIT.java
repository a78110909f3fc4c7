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
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** Rules and REST registrations persist in the store and come back, in their states, after a kill -9 (§3, §6.2). */
@Timeout(90)
class RestartIT {

  @RegisterExtension
  final ItResources resources = new ItResources();

  @TempDir
  Path dir;

  @Test
  void rulesAndRegistrationsSurviveAKill9() {
    WsinkProcess first = WsinkProcess.startNode(resources, dir);
    assertEquals(200, first.post("/connection/websocket", new JsonObject().put("endpoint", "/reg")).statusCode());
    // a checkConnection rule can only be created with a client on its endpoint (§4.3) ...
    JwsClient.connect(resources, first.dataUrl("/reg"));
    first.awaitClients("/reg", 1);
    JsonObject checked = new JsonObject().put("id", "checked").put("actions", new JsonArray().add(new JsonObject()
      .put("websocket", new JsonObject().put("path", "/reg").put("checkConnection", true))));
    first.createRule(checked);
    JsonObject live = serverRule("live", "/live");
    JsonObject idle = serverRule("idle", "/idle");
    first.createRule(live);
    first.createRule(idle);
    HttpResponse<String> stopped = first.post("/rules/idle/stop", null);
    assertEquals(200, stopped.statusCode(), stopped::body);
    assertEquals("Rule idle was stopped.", stopped.body());
    assertEquals(Map.of("live", "running", "idle", "stopped", "checked", "running"), states(first));

    first.kill9();
    assertFalse(first.isAlive());

    // same working directory and store, new process (on new ports: nothing of the first one is reused but the store)
    WsinkProcess second = WsinkProcess.startNode(resources, dir);
    // ... but is not checked again when it is recovered: nobody is connected to /reg now
    assertEquals(Map.of("live", "running", "idle", "stopped", "checked", "running"), states(second));
    assertEquals(live, second.getObject("/rules/live"));
    assertEquals(idle, second.getObject("/rules/idle"));
    assertEquals(checked, second.getObject("/rules/checked"));
    JsonObject reg = second.getArray("/connection/websocket").stream().map(JsonObject.class::cast)
      .filter(e -> "/reg".equals(e.getString("endpoint"))).findFirst().orElseThrow();
    assertEquals(Set.of("rest", "rule:checked"),
      reg.getJsonArray("holders").stream().map(String::valueOf).collect(Collectors.toSet()),
      () -> "the REST registration is back beside the rule: " + reg.encode());
    assertEquals("false", second.get("/connection/websocket?endpoint=/idle").body(), "a stopped rule holds nothing");

    JwsClient client = JwsClient.connect(resources, second.dataUrl("/live"));
    second.awaitClients("/live", 1);
    second.publish("rule.live", new JsonObject().put("after", "restart"));
    assertEquals(List.of("{\"after\":\"restart\"}"), client.awaitMessages(1, Duration.ofSeconds(20)));
  }

  private static JsonObject serverRule(String id, String path) {
    return new JsonObject().put("id", id).put("actions", new JsonArray().add(new JsonObject().put("websocket",
      new JsonObject().put("path", path).put("sendSingle", true))));
  }

  private static Map<String, String> states(WsinkProcess wsink) {
    return wsink.getArray("/rules").stream().map(JsonObject.class::cast)
      .collect(Collectors.toMap(r -> r.getString("id"), r -> r.getString("status")));
  }
}
