package io.wsink.api;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.wsink.testkit.TestNode;
import io.wsink.testkit.WsClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.wsink.testkit.RestAssertions.assertEmptyBody;
import static io.wsink.testkit.RestAssertions.assertError;
import static io.wsink.testkit.RestAssertions.assertErrorStartsWith;
import static io.wsink.testkit.Rules.rule;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** §6.2 REST registrations of websocket endpoints, and checkConnection in server mode (§4.3). */
@ExtendWith(VertxExtension.class)
@io.vertx.junit5.Timeout(value = 20, timeUnit = TimeUnit.SECONDS)
class EndpointApiTest {

  private static final String ENDPOINT_MISSING = "Invalid body: endpoint should be defined";
  private static final String NO_SLASH = "websocket endpoint should start with /";

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

  // ---- register / query / unregister ----------------------------------------------------------------------

  @Test
  void registerWithABodyIsIdempotent(Vertx vertx, VertxTestContext ctx) {
    start(vertx)
      .compose(n -> n.get("/connection/websocket?endpoint=/x"))
      .compose(r -> {
        assertEquals(200, r.statusCode());
        assertEquals("false", r.bodyAsString());
        return node.post("/connection/websocket", new JsonObject().put("endpoint", "/x"));
      })
      .compose(r -> {
        assertEmptyBody(r, 200);
        return node.post("/connection/websocket", new JsonObject().put("endpoint", "/x"));
      })
      .compose(r -> {
        assertEmptyBody(r, 200);
        return node.get("/connection/websocket?endpoint=/x");
      })
      .compose(r -> {
        assertEquals(200, r.statusCode());
        assertEquals("true", r.bodyAsString());
        return node.get("/connection/websocket");
      })
      .map(r -> {
        assertEquals(200, r.statusCode());
        JsonArray list = r.bodyAsJsonArray();
        assertEquals(1, list.size(), list.encode());
        JsonObject x = list.getJsonObject(0);
        assertEquals("/x", x.getString("endpoint"));
        assertEquals(0, x.getInteger("clients"));
        assertEquals(new JsonArray().add("rest"), x.getJsonArray("holders"), "registered twice, held once");
        return null;
      })
      .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void registerWithAQueryAndAskWithABody(Vertx vertx, VertxTestContext ctx) {
    start(vertx)
      .compose(n -> n.post("/connection/websocket?endpoint=/q", null))
      .compose(r -> {
        assertEmptyBody(r, 200);
        return node.get("/connection/websocket?endpoint=/q");
      })
      .compose(r -> {
        assertEquals("true", r.bodyAsString());
        return node.get("/connection/websocket?endpoint=/other");
      })
      .compose(r -> {
        assertEquals("false", r.bodyAsString());
        return connect(vertx, "/q");
      })
      .map(c -> {
        assertTrue(c.socket() != null, "the data server serves the registered endpoint");
        return null;
      })
      .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void missingEndpointIsRefused(Vertx vertx, VertxTestContext ctx) {
    start(vertx)
      .compose(n -> n.post("/connection/websocket", null))
      .compose(r -> {
        assertError(r, 400, 1000, ENDPOINT_MISSING);
        return node.post("/connection/websocket", new JsonObject());
      })
      .compose(r -> {
        assertError(r, 400, 1000, ENDPOINT_MISSING);
        return node.post("/connection/websocket", new JsonObject().put("endpoint", ""));
      })
      .compose(r -> {
        assertError(r, 400, 1000, ENDPOINT_MISSING);
        return node.delete("/connection/websocket");
      })
      .compose(r -> {
        assertError(r, 400, 1000, ENDPOINT_MISSING);
        return node.get("/connection/websocket");
      })
      .map(r -> {
        assertEquals(new JsonArray(), r.bodyAsJsonArray());
        return null;
      })
      .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void endpointWithoutLeadingSlashOrMalformedBodyIsRefused(Vertx vertx, VertxTestContext ctx) {
    start(vertx)
      .compose(n -> n.post("/connection/websocket", new JsonObject().put("endpoint", "x")))
      .compose(r -> {
        assertError(r, 400, 1000, NO_SLASH);
        return node.post("/connection/websocket?endpoint=x", null);
      })
      .compose(r -> {
        assertError(r, 400, 1000, NO_SLASH);
        return node.post("/connection/websocket", "{\"endpoint\": \"/x\"");
      })
      .compose(r -> {
        assertErrorStartsWith(r, 400, 1000, "Invalid body: ");
        return node.get("/connection/websocket");
      })
      .map(r -> {
        assertEquals(new JsonArray(), r.bodyAsJsonArray(), "nothing registered");
        return null;
      })
      .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void listCountsConnectedClientsAndNamesEveryHolder(Vertx vertx, VertxTestContext ctx) {
    start(vertx)
      .compose(n -> n.post("/connection/websocket", new JsonObject().put("endpoint", "/x")))
      .compose(r -> node.createRule(rule("r1", "/x")))
      .compose(v -> connect(vertx, "/x"))
      .compose(c -> connect(vertx, "/x"))
      .compose(c -> node.awaitClients("/x", 2))
      .compose(v -> node.get("/connection/websocket"))
      .map(r -> {
        JsonArray list = r.bodyAsJsonArray();
        assertEquals(1, list.size(), list.encode());
        JsonObject x = list.getJsonObject(0);
        assertEquals("/x", x.getString("endpoint"));
        assertEquals(2, x.getInteger("clients"));
        assertEquals(List.of("rest", "rule:r1"), x.getJsonArray("holders").stream().sorted().toList(), list.encode());
        return null;
      })
      .compose(v -> clients.get(0).close())
      .compose(v -> node.awaitClients("/x", 1))
      .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void deletingTheLastHolderClosesClientsWith1001AndLaterUpgradesGet404(Vertx vertx, VertxTestContext ctx) {
    WsClient[] client = new WsClient[1];
    start(vertx)
      .compose(n -> n.post("/connection/websocket", new JsonObject().put("endpoint", "/keep")))
      .compose(r -> node.post("/connection/websocket", new JsonObject().put("endpoint", "/x")))
      .compose(r -> connect(vertx, "/x"))
      .compose(c -> {
        client[0] = c;
        return node.awaitClients("/x", 1);
      })
      .compose(v -> node.delete("/connection/websocket?endpoint=/x"))
      .compose(r -> {
        assertEmptyBody(r, 200);
        return client[0].closed();
      })
      .compose(code -> {
        assertEquals((short) 1001, code);
        return node.get("/connection/websocket?endpoint=/x");
      })
      .compose(r -> {
        assertEquals("false", r.bodyAsString());
        return WsClient.connect(vertx, node.dataUrl("/x"))
          .transform(ar -> Future.succeededFuture(ar.failed() ? ar.cause() : null));
      })
      .compose(err -> {
        UpgradeRejectedException rejected = assertInstanceOf(UpgradeRejectedException.class, err);
        assertEquals(404, rejected.getStatus());
        return connect(vertx, "/keep");
      })
      .map(c -> {
        assertTrue(c.socket() != null, "the other endpoint is still served");
        return null;
      })
      .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void deletingAnUnknownEndpointIs200(Vertx vertx, VertxTestContext ctx) {
    start(vertx)
      .compose(n -> n.delete("/connection/websocket?endpoint=/never"))
      .compose(r -> {
        assertEmptyBody(r, 200);
        return node.get("/connection/websocket");
      })
      .map(r -> {
        assertEquals(new JsonArray(), r.bodyAsJsonArray());
        return null;
      })
      .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void deletingTheLastEndpointStopsTheDataServer(Vertx vertx, VertxTestContext ctx) {
    start(vertx)
      .compose(n -> n.post("/connection/websocket", new JsonObject().put("endpoint", "/x")))
      .compose(r -> connect(vertx, "/x"))
      .compose(c -> node.delete("/connection/websocket?endpoint=/x").compose(r -> c.closed()))
      .compose(code -> {
        assertEquals((short) 1001, code);
        // DELETE answers once the endpoint is gone, and with it the listener
        return connect(vertx, "/x").transform(ar -> Future.succeededFuture(ar.failed() ? ar.cause() : null));
      })
      .map(err -> {
        assertTrue(err != null && !(err instanceof UpgradeRejectedException),
          "nothing listens on the data port any more, got: " + err);
        return null;
      })
      .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void removingTheRestHolderKeepsClientsThatARuleStillServes(Vertx vertx, VertxTestContext ctx) {
    WsClient[] client = new WsClient[1];
    start(vertx)
      .compose(n -> n.post("/connection/websocket", new JsonObject().put("endpoint", "/x")))
      .compose(r -> node.createRule(rule("r1", "/x")))
      .compose(v -> connect(vertx, "/x"))
      .compose(c -> {
        client[0] = c;
        return node.awaitClients("/x", 1);
      })
      .compose(v -> node.delete("/connection/websocket?endpoint=/x"))
      .compose(r -> {
        assertEmptyBody(r, 200);
        vertx.eventBus().publish("rule.r1", new JsonObject().put("after", "delete"));
        return client[0].awaitMessages(1);
      })
      .compose(msgs -> {
        assertEquals(new JsonArray().add(new JsonObject().put("after", "delete")), new JsonArray((String) msgs.get(0)));
        assertFalse(client[0].closed().isComplete(), "the client is still connected");
        return node.get("/connection/websocket");
      })
      .map(r -> {
        JsonObject x = r.bodyAsJsonArray().getJsonObject(0);
        assertEquals(new JsonArray().add("rule:r1"), x.getJsonArray("holders"));
        return null;
      })
      .onComplete(ctx.succeedingThenComplete());
  }

  // ---- checkConnection (§4.3) -----------------------------------------------------------------------------

  @Test
  void checkConnectionWithoutAnyEndpointSaysTheServerIsNotInitialized(Vertx vertx, VertxTestContext ctx) {
    start(vertx)
      .compose(n -> refusedCheck("http server is not initialized"))
      .compose(v -> node.get("/connection/websocket"))
      .map(r -> {
        assertEquals(new JsonArray(), r.bodyAsJsonArray(), "the check registered nothing");
        return null;
      })
      .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void checkConnectionWithAnotherEndpointSaysThereIsNoSuchEndpoint(Vertx vertx, VertxTestContext ctx) {
    start(vertx)
      .compose(n -> n.post("/connection/websocket", new JsonObject().put("endpoint", "/other")))
      .compose(r -> refusedCheck("websocket has no endpoint /x"))
      .compose(v -> node.get("/connection/websocket?endpoint=/x"))
      .map(r -> {
        assertEquals("false", r.bodyAsString(), "the check registered nothing");
        return null;
      })
      .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void checkConnectionWithoutClientsSaysThereIsNoConnection(Vertx vertx, VertxTestContext ctx) {
    start(vertx)
      .compose(n -> n.post("/connection/websocket", new JsonObject().put("endpoint", "/x")))
      .compose(r -> refusedCheck("websocket endpoint /x has no connection"))
      .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void checkConnectionWithAClientCreatesTheRuleAndTheClientGetsItsOutput(Vertx vertx, VertxTestContext ctx) {
    WsClient[] client = new WsClient[1];
    start(vertx)
      .compose(n -> n.post("/connection/websocket", new JsonObject().put("endpoint", "/x")))
      .compose(r -> connect(vertx, "/x"))
      .compose(c -> {
        client[0] = c;
        return node.awaitClients("/x", 1);
      })
      .compose(v -> node.post("/rules", checkedRule("/x")))
      .compose(r -> {
        assertEquals(201, r.statusCode(), r.bodyAsString());
        assertEquals("Rule r1 was created successfully.", r.bodyAsString());
        vertx.eventBus().publish("rule.r1", new JsonObject().put("t", 21.5));
        return client[0].awaitMessages(1);
      })
      .map(msgs -> {
        assertEquals(new JsonArray().add(new JsonObject().put("t", 21.5)), new JsonArray((String) msgs.get(0)));
        return null;
      })
      .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void checkConnectionRunsAgainOnStartAndRestart(Vertx vertx, VertxTestContext ctx) {
    String noConnection = "websocket endpoint /x has no connection";
    WsClient[] client = new WsClient[1];
    start(vertx)
      .compose(n -> n.post("/connection/websocket", new JsonObject().put("endpoint", "/x")))
      .compose(r -> connect(vertx, "/x"))
      .compose(c -> {
        client[0] = c;
        return node.awaitClients("/x", 1);
      })
      .compose(v -> node.createRule(checkedRule("/x")))
      .compose(v -> node.post("/rules/r1/stop", null))
      .compose(r -> {
        assertEquals(200, r.statusCode(), r.bodyAsString());
        return client[0].close();
      })
      .compose(v -> node.awaitClients("/x", 0))
      .compose(v -> node.post("/rules/r1/start", null))
      .compose(r -> {
        assertError(r, 400, 4000, noConnection);
        return node.post("/rules/r1/restart", null);
      })
      .compose(r -> {
        assertError(r, 400, 4000, noConnection);
        return node.get("/rules/r1/status");
      })
      .compose(r -> {
        assertEquals("stopped", r.bodyAsJsonObject().getString("status"), r.bodyAsString());
        return connect(vertx, "/x");
      })
      .compose(c -> {
        client[0] = c;
        return node.awaitClients("/x", 1);
      })
      .compose(v -> node.post("/rules/r1/start", null))
      .compose(r -> {
        assertEquals(200, r.statusCode(), r.bodyAsString());
        assertEquals("Rule r1 was started.", r.bodyAsString());
        vertx.eventBus().publish("rule.r1", "started again");
        return client[0].awaitMessages(1);
      })
      .map(msgs -> {
        assertEquals("started again", msgs.get(0));
        return null;
      })
      .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void checkConnectionOnUpdateRefusesAndKeepsTheOldDefinition(Vertx vertx, VertxTestContext ctx) {
    start(vertx)
      .compose(n -> n.createRule(rule("r1", "/old")))
      .compose(v -> node.put("/rules/r1", checkedRule("/x")))
      .compose(r -> {
        assertError(r, 400, 4000, "websocket has no endpoint /x");
        return node.get("/rules/r1");
      })
      .map(r -> {
        assertEquals(rule("r1", "/old"), r.bodyAsJsonObject());
        return null;
      })
      .onComplete(ctx.succeedingThenComplete());
  }

  /** POST /rules of a checkConnection rule on /x answers 400 with {@code message}, and nothing is stored. */
  private Future<Void> refusedCheck(String message) {
    return node.post("/rules", checkedRule("/x"))
      .compose(r -> {
        assertError(r, 400, 4000, message);
        return node.get("/rules/r1");
      })
      .compose(r -> {
        assertEquals(404, r.statusCode(), r.bodyAsString());
        assertEquals(1002, r.bodyAsJsonObject().getInteger("error"));
        return node.get("/rules");
      })
      .map(r -> {
        assertEquals(new JsonArray(), r.bodyAsJsonArray());
        return null;
      });
  }

  private static JsonObject checkedRule(String path) {
    return rule("r1", new JsonObject().put("path", path).put("checkConnection", true));
  }

  // ---- helpers --------------------------------------------------------------------------------------------

  private Future<TestNode> start(Vertx vertx) {
    return TestNode.start(vertx, tmp).map(n -> node = n);
  }

  private Future<WsClient> connect(Vertx vertx, String path) {
    return WsClient.connect(vertx, node.dataUrl(path)).onSuccess(clients::add);
  }
}
