package io.wsink.api;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.wsink.Wsink;
import io.wsink.testkit.TestNode;
import io.wsink.testkit.WsClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.wsink.testkit.Rules.byId;
import static io.wsink.testkit.Rules.rule;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** §3 / §6.2: rules (with their state) and REST endpoint registrations survive a restart of the node on its store. */
@ExtendWith(VertxExtension.class)
@io.vertx.junit5.Timeout(value = 25, timeUnit = TimeUnit.SECONDS)
class PersistenceTest {

  @TempDir
  Path tmp;

  private TestNode node;
  private final List<WsClient> clients = new ArrayList<>();

  @AfterEach
  void tearDown(VertxTestContext ctx) {
    Future<?> all = WsClient.closeAll(clients);
    all.transform(ar -> node == null ? Future.succeededFuture() : node.stop())
      .onComplete(ar -> ctx.completeNow());
  }

  @Test
  void rulesTheirStatesAndRegistrationsComeBack(Vertx vertx, VertxTestContext ctx) {
    JsonObject r1 = rule("r1", "/r1").put("from", "sensors.r1");
    WsClient[] before = new WsClient[1];
    WsClient[] after = new WsClient[1];
    start(vertx)
      .compose(n -> n.createRule(r1))
      .compose(v -> node.createRule(rule("r2", "/r2")))
      .compose(v -> node.post("/rules/r2/stop", null))
      .compose(r -> {
        assertEquals(200, r.statusCode(), r.bodyAsString());
        return node.createRule(rule("r3", "/r3").put("triggered", false));
      })
      .compose(v -> node.post("/connection/websocket", new JsonObject().put("endpoint", "/x")))
      .compose(r -> {
        assertEquals(200, r.statusCode(), r.bodyAsString());
        return connect(vertx, "/r1");
      })
      .compose(c -> {
        before[0] = c;
        return restart(vertx);
      })
      .compose(v -> before[0].closed())
      .compose(code -> {
        assertEquals((short) 1001, code, "a node stop closes its clients with 1001");
        return node.get("/rules");
      })
      .compose(r -> {
        JsonArray list = r.bodyAsJsonArray();
        assertEquals(3, list.size(), list.encode());
        assertEquals("running", byId(list, "r1").getString("status"), list.encode());
        assertEquals("stopped", byId(list, "r2").getString("status"), list.encode());
        assertEquals("stopped", byId(list, "r3").getString("status"), list.encode());
        return node.get("/rules/r1");
      })
      .compose(r -> {
        assertEquals(r1, r.bodyAsJsonObject(), "the definition as given");
        return node.get("/connection/websocket?endpoint=/x");
      })
      .compose(r -> {
        assertEquals("true", r.bodyAsString(), "the REST registration is back");
        return node.get("/connection/websocket?endpoint=/r2");
      })
      .compose(r -> {
        assertEquals("false", r.bodyAsString(), "a stopped rule stays stopped");
        return connect(vertx, "/r1");
      })
      .compose(c -> {
        after[0] = c;
        return node.awaitClients("/r1", 1);
      })
      .compose(v -> {
        vertx.eventBus().publish("sensors.r1", new JsonObject().put("after", "restart"));
        return after[0].awaitMessages(1);
      })
      .compose(msgs -> {
        assertEquals(new JsonArray().add(new JsonObject().put("after", "restart")), new JsonArray((String) msgs.get(0)));
        return node.post("/rules/r2/start", null);
      })
      .compose(r -> {
        assertEquals(200, r.statusCode(), r.bodyAsString());
        return node.get("/rules/r2/status");
      })
      .map(r -> {
        assertEquals("running", r.bodyAsJsonObject().getString("status"), "a restored stopped rule can be started");
        return null;
      })
      .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void updatesAndDeletesArePersistedToo(Vertx vertx, VertxTestContext ctx) {
    start(vertx)
      .compose(n -> n.createRule(rule("r1", "/a")))
      .compose(v -> node.put("/rules/r1", rule("r1", "/b")))
      .compose(r -> node.createRule(rule("gone", "/g")))
      .compose(v -> node.delete("/rules/gone"))
      .compose(r -> node.post("/connection/websocket", new JsonObject().put("endpoint", "/x")))
      .compose(r -> node.post("/connection/websocket", new JsonObject().put("endpoint", "/y")))
      .compose(r -> node.delete("/connection/websocket?endpoint=/x"))
      .compose(r -> {
        assertEquals(200, r.statusCode(), r.bodyAsString());
        return restart(vertx);
      })
      .compose(v -> node.get("/rules/r1"))
      .compose(r -> {
        assertEquals(rule("r1", "/b"), r.bodyAsJsonObject(), "the updated definition");
        return node.get("/rules/gone");
      })
      .compose(r -> {
        assertEquals(404, r.statusCode(), "a dropped rule stays dropped: " + r.bodyAsString());
        return node.get("/connection/websocket");
      })
      .map(r -> {
        JsonArray list = r.bodyAsJsonArray();
        List<String> endpoints = list.stream().map(o -> ((JsonObject) o).getString("endpoint")).sorted().toList();
        assertEquals(List.of("/b", "/y"), endpoints, list.encode());
        return null;
      })
      .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void recoveryDoesNotCheckTheConnection(Vertx vertx, VertxTestContext ctx) {
    // §4.3: checkConnection runs on create, start and restart, not on recovery after a restart
    JsonObject checked = rule("c1", new JsonObject().put("path", "/x").put("checkConnection", true));
    start(vertx)
      .compose(n -> n.post("/connection/websocket", new JsonObject().put("endpoint", "/x")))
      .compose(r -> connect(vertx, "/x"))
      .compose(c -> node.awaitClients("/x", 1))
      .compose(v -> node.createRule(checked))
      .compose(v -> restart(vertx))
      .compose(v -> node.get("/rules/c1/status"))
      .map(r -> {
        assertEquals("running", r.bodyAsJsonObject().getString("status"), r.bodyAsString());
        return null;
      })
      .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void aStoreDirThatIsARegularFileFailsTheDeployNamingThePath(Vertx vertx, VertxTestContext ctx) throws Exception {
    Path file = Files.writeString(tmp.resolve("not-a-dir"), "plain file");
    int restPort = TestNode.freePort();
    JsonObject config = new JsonObject()
      .put("confDir", tmp.resolve("no-conf").toString())
      .put("rest", new JsonObject().put("ip", "127.0.0.1").put("port", restPort))
      .put("store", new JsonObject().put("dir", file.toString()))
      .put("source", new JsonObject().put("httpServerIp", "127.0.0.1").put("httpServerPort", TestNode.freePort()));
    WebClient http = WebClient.create(vertx);
    Wsink.deploy(vertx, config)
      .transform(ar -> {
        assertTrue(ar.failed(), "deploy must fail when the store dir is a regular file");
        String message = String.valueOf(ar.cause().getMessage());
        assertTrue(message.contains(file.toString()), "the message names the path: " + message);
        assertEquals(List.of(), vertx.deploymentIDs().stream().toList(), "nothing stays deployed");
        // nothing starts half-configured: the REST API does not listen
        return http.get(restPort, "127.0.0.1", "/ping").send();
      })
      .transform(ar -> {
        http.close();
        assertTrue(ar.failed(), "the REST API must not listen, got " + (ar.succeeded() ? ar.result().statusCode() : ""));
        return Future.succeededFuture();
      })
      .onComplete(ctx.succeedingThenComplete());
  }

  // ---- helpers --------------------------------------------------------------------------------------------

  private Future<TestNode> start(Vertx vertx) {
    return TestNode.start(vertx, tmp).map(n -> node = n);
  }

  /** Stops the node (graceful, as on SIGTERM) and starts a new one on the same directory. */
  private Future<Void> restart(Vertx vertx) {
    TestNode old = node;
    node = null;
    return old.stop().compose(v -> start(vertx)).mapEmpty();
  }

  private Future<WsClient> connect(Vertx vertx, String path) {
    return WsClient.connect(vertx, node.dataUrl(path)).onSuccess(clients::add);
  }
}
