package io.wsink.api;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.wsink.testkit.RecordingServer;
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
import java.util.function.Predicate;

import static io.wsink.testkit.RestAssertions.assertError;
import static io.wsink.testkit.RestAssertions.assertErrorEnvelope;
import static io.wsink.testkit.RestAssertions.assertErrorStartsWith;
import static io.wsink.testkit.RestAssertions.assertJsonContentType;
import static io.wsink.testkit.Rules.SINK0;
import static io.wsink.testkit.Rules.byId;
import static io.wsink.testkit.Rules.clientProps;
import static io.wsink.testkit.Rules.rule;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** §6.1 rules API, /ping, the error envelope, routing errors and rest.tokens, against a whole node in-process. */
@ExtendWith(VertxExtension.class)
@io.vertx.junit5.Timeout(value = 20, timeUnit = TimeUnit.SECONDS)
class RuleApiTest {

  private static final List<String> METRICS = List.of("records_in_total", "records_out_total", "records_dropped_total",
    "exceptions_total", "last_exception", "last_exception_time", "process_latency_us", "buffer_length", "last_invocation");

  @TempDir
  Path tmp;

  private TestNode node;
  private final List<WsClient> clients = new ArrayList<>();
  private RecordingServer remote;
  private WebClient http;

  @AfterEach
  void tearDown(VertxTestContext ctx) {
    Future<Void> remoteClosed = remote == null ? Future.succeededFuture() : remote.close();
    Future<?> all = Future.join(WsClient.closeAll(clients), remoteClosed);
    if (http != null) {
      http.close();
    }
    all.transform(ar -> node == null ? Future.succeededFuture() : node.stop())
      .onComplete(ar -> ctx.completeNow());
  }

  // ---- create ---------------------------------------------------------------------------------------------

  @Test
  void createAnswers201AndStoresTheDefinitionAsGiven(Vertx vertx, VertxTestContext ctx) {
    JsonObject definition = new JsonObject().put("id", "r1").put("name", "first rule").put("from", "sensors.t")
      .put("actions", new JsonArray().add(new JsonObject().put("websocket",
        new JsonObject().put("PATH", "/r1").put("sendSingle", true))))
      .put("options", new JsonObject().put("restartStrategy", new JsonObject().put("attempts", 0).put("delay", 1000)));
    start(vertx)
      .compose(n -> n.post("/rules", definition))
      .compose(r -> {
        assertEquals(201, r.statusCode(), r.bodyAsString());
        assertEquals("Rule r1 was created successfully.", r.bodyAsString());
        return node.get("/rules/r1");
      })
      .compose(r -> {
        assertEquals(200, r.statusCode(), r.bodyAsString());
        assertEquals(definition, r.bodyAsJsonObject());
        return node.get("/rules");
      })
      .map(r -> {
        assertEquals(200, r.statusCode());
        assertEquals(new JsonArray().add(new JsonObject().put("id", "r1").put("status", "running").put("message", "")),
          r.bodyAsJsonArray());
        return null;
      })
      .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void duplicateIdIsRefused(Vertx vertx, VertxTestContext ctx) {
    start(vertx)
      .compose(n -> n.createRule(rule("r1", "/r1")))
      .compose(v -> node.post("/rules", rule("r1", "/other")))
      .compose(r -> {
        assertError(r, 400, 4000, "rule r1 already exists");
        return node.get("/rules/r1");
      })
      .map(r -> {
        assertEquals(rule("r1", "/r1"), r.bodyAsJsonObject(), "the first definition is kept");
        return null;
      })
      .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void malformedEmptyOrNonObjectBodiesAreInvalid(Vertx vertx, VertxTestContext ctx) {
    start(vertx)
      .compose(n -> n.post("/rules", "{\"id\": \"r1\", \"actions\": ["))
      .compose(r -> {
        assertErrorStartsWith(r, 400, 1000, "Invalid body: ");
        return node.post("/rules", null);
      })
      .compose(r -> {
        assertErrorStartsWith(r, 400, 1000, "Invalid body: ");
        return node.post("/rules", new JsonArray().add(rule("r1", "/r1")));
      })
      .compose(r -> {
        assertErrorStartsWith(r, 400, 1000, "Invalid body: ");
        return node.get("/rules");
      })
      .map(r -> {
        assertEquals(new JsonArray(), r.bodyAsJsonArray());
        return null;
      })
      .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void wrongTypeIsRefusedNamingThePropertyAndNothingIsStored(Vertx vertx, VertxTestContext ctx) {
    refused(vertx, ctx, rule("r1", new JsonObject().put("path", "/r1").put("checkConnection", "true")),
      m -> m.contains("\"checkConnection\"") && m.contains("boolean"));
  }

  @Test
  void unknownPropertyIsRefusedWithTheNearestName(Vertx vertx, VertxTestContext ctx) {
    refused(vertx, ctx, rule("r1", new JsonObject().put("path", "/r1").put("sendSingel", true)),
      m -> m.contains("\"sendSingel\"") && m.contains("did you mean \"sendSingle\""));
  }

  @Test
  void missingPathIsRefused(Vertx vertx, VertxTestContext ctx) {
    refused(vertx, ctx, rule("r1", new JsonObject().put("sendSingle", true)),
      m -> m.equals("websocket sink conf path should be defined"));
  }

  @Test
  void pathWithoutSlashIsRefused(Vertx vertx, VertxTestContext ctx) {
    refused(vertx, ctx, rule("r1", new JsonObject().put("path", "r1")),
      m -> m.equals("websocket endpoint should start with /"));
  }

  @Test
  void sqlIsRefusedSayingWhatToUseInstead(Vertx vertx, VertxTestContext ctx) {
    refused(vertx, ctx, rule("r1", "/r1").put("sql", "SELECT * FROM demo"),
      m -> m.contains("sql") && m.contains("\"from\""));
  }

  @Test
  void otherActionTypesAreRefused(Vertx vertx, VertxTestContext ctx) {
    refused(vertx, ctx, new JsonObject().put("id", "r1").put("actions",
        new JsonArray().add(new JsonObject().put("mqtt", new JsonObject().put("server", "tcp://x:1883")))),
      m -> m.contains("mqtt") && m.contains("websocket"));
  }

  /** POST /rules answers 400/4000 with a message matching {@code message}, and nothing is stored or started. */
  private void refused(Vertx vertx, VertxTestContext ctx, JsonObject definition, Predicate<String> message) {
    start(vertx)
      .compose(n -> n.post("/rules", definition))
      .compose(r -> {
        JsonObject body = assertErrorEnvelope(r, 400);
        assertEquals(4000, body.getInteger("error"), body.encode());
        assertTrue(message.test(body.getString("message")), "unexpected message: " + body.getString("message"));
        return node.get("/rules/r1");
      })
      .compose(r -> {
        assertError(r, 404, 1002, "rule r1 is not found");
        return node.get("/connection/websocket");
      })
      .map(r -> {
        assertEquals(new JsonArray(), r.bodyAsJsonArray(), "no endpoint was held for a refused rule");
        return null;
      })
      .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void invalidIdIsRefused(Vertx vertx, VertxTestContext ctx) {
    start(vertx)
      .compose(n -> n.post("/rules", rule("bad id!", "/r1")))
      .compose(r -> {
        assertEquals(400, r.statusCode(), r.bodyAsString());
        assertEquals(4000, r.bodyAsJsonObject().getInteger("error"), r.bodyAsString());
        assertTrue(r.bodyAsJsonObject().getString("message").contains("bad id!"), r.bodyAsString());
        return node.post("/rules", rule("r1", "/r1").put("id", 7));
      })
      .compose(r -> {
        assertEquals(400, r.statusCode(), r.bodyAsString());
        assertEquals(4000, r.bodyAsJsonObject().getInteger("error"), r.bodyAsString());
        return node.get("/rules");
      })
      .map(r -> {
        assertEquals(new JsonArray(), r.bodyAsJsonArray());
        return null;
      })
      .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void twoConcurrentCreatesOfOneIdCreateItOnce(Vertx vertx, VertxTestContext ctx) {
    start(vertx)
      .compose(n -> Future.join(n.post("/rules", rule("r1", "/a")), n.post("/rules", rule("r1", "/b"))))
      .compose(both -> {
        List<Integer> codes = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
          codes.add(both.<HttpResponse<Buffer>>resultAt(i).statusCode());
        }
        assertEquals(List.of(201, 400), codes.stream().sorted().toList(), codes.toString());
        return node.get("/connection/websocket");
      })
      .map(r -> {
        assertEquals(1, r.bodyAsJsonArray().size(), "only the created rule holds an endpoint: " + r.bodyAsString());
        return null;
      })
      .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void aRuleThatCannotStartIsListedAsStoppedWithTheReason(Vertx vertx, VertxTestContext ctx) throws Exception {
    // the data port is taken: the rule is created (201, as eKuiper) but cannot run, and says why
    java.net.ServerSocket taken = TestNode.takePort();
    int port = taken.getLocalPort();
    JsonObject extra = new JsonObject().put("source", new JsonObject().put("httpServerPort", port));
    TestNode.start(vertx, tmp, extra)
      .compose(n -> {
        node = n;
        return n.post("/rules", rule("r1", "/r1"));
      })
      .compose(r -> {
        assertEquals(201, r.statusCode(), r.bodyAsString());
        return node.get("/rules");
      })
      .compose(r -> {
        JsonObject r1 = byId(r.bodyAsJsonArray(), "r1");
        assertEquals("stopped", r1.getString("status"), r.bodyAsString());
        assertTrue(r1.getString("message").contains(String.valueOf(port)), "the reason names the port: " + r1);
        return node.get("/rules/r1/status");
      })
      .compose(r -> {
        assertEquals("stopped", r.bodyAsJsonObject().getString("status"), r.bodyAsString());
        assertTrue(r.bodyAsJsonObject().getString("message").contains(String.valueOf(port)), r.bodyAsString());
        try {
          taken.close();
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
        return node.post("/rules/r1/start", null);
      })
      .compose(r -> {
        assertEquals(200, r.statusCode(), r.bodyAsString());
        return node.get("/rules/r1/status");
      })
      .map(r -> {
        assertEquals("running", r.bodyAsJsonObject().getString("status"), r.bodyAsString());
        return null;
      })
      .onComplete(ar -> {
        try {
          taken.close();
        } catch (java.io.IOException ignored) {
          // closed already
        }
        ctx.succeedingThenComplete().handle(ar);
      });
  }

  // ---- list, get, unknown ids -----------------------------------------------------------------------------

  @Test
  void listShowsRunningAndStoppedRules(Vertx vertx, VertxTestContext ctx) {
    start(vertx)
      .compose(n -> n.createRule(rule("a", "/a")))
      .compose(v -> node.createRule(rule("b", "/b").put("triggered", false)))
      .compose(v -> node.createRule(rule("c", "/c")))
      .compose(v -> node.post("/rules/c/stop", null))
      .compose(v -> node.get("/rules"))
      .map(r -> {
        assertEquals(200, r.statusCode());
        assertJsonContentType(r);
        JsonArray list = r.bodyAsJsonArray();
        assertEquals(3, list.size(), list.encode());
        JsonObject a = byId(list, "a");
        JsonObject b = byId(list, "b");
        JsonObject c = byId(list, "c");
        assertEquals("running", a.getString("status"));
        assertEquals("stopped", b.getString("status"));
        assertEquals("stopped", c.getString("status"));
        assertEquals("Stopped: canceled manually.", c.getString("message"));
        for (Object o : list) {
          assertEquals(java.util.Set.of("id", "status", "message"), ((JsonObject) o).fieldNames(), list.encode());
        }
        return null;
      })
      .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void unknownIdIs404WithCode1002Everywhere(Vertx vertx, VertxTestContext ctx) {
    String expected = "rule nope is not found";
    start(vertx)
      .compose(n -> n.get("/rules/nope"))
      .compose(r -> {
        assertError(r, 404, 1002, expected);
        return node.put("/rules/nope", rule("nope", "/n"));
      })
      .compose(r -> {
        assertError(r, 404, 1002, expected);
        return node.delete("/rules/nope");
      })
      .compose(r -> {
        assertError(r, 404, 1002, expected);
        return node.post("/rules/nope/start", null);
      })
      .compose(r -> {
        assertError(r, 404, 1002, expected);
        return node.post("/rules/nope/stop", null);
      })
      .compose(r -> {
        assertError(r, 404, 1002, expected);
        return node.post("/rules/nope/restart", null);
      })
      .compose(r -> {
        assertError(r, 404, 1002, expected);
        return node.get("/rules/nope/status");
      })
      .compose(r -> {
        assertError(r, 404, 1002, expected);
        return node.get("/rules");
      })
      .map(r -> {
        assertEquals(new JsonArray(), r.bodyAsJsonArray(), "PUT of an unknown id must not create it");
        return null;
      })
      .onComplete(ctx.succeedingThenComplete());
  }

  // ---- update, delete -------------------------------------------------------------------------------------

  @Test
  void updateRestartsTheRuleWithTheNewDefinition(Vertx vertx, VertxTestContext ctx) {
    WsClient[] client = new WsClient[1];
    start(vertx)
      .compose(n -> n.createRule(rule("r1", "/old")))
      .compose(v -> node.put("/rules/r1", rule("r1", "/new")))
      .compose(r -> {
        assertEquals(200, r.statusCode(), r.bodyAsString());
        assertEquals("Rule r1 was updated successfully.", r.bodyAsString());
        return node.get("/rules/r1");
      })
      .compose(r -> {
        assertEquals(rule("r1", "/new"), r.bodyAsJsonObject());
        return node.get("/connection/websocket?endpoint=/old");
      })
      .compose(r -> {
        assertEquals("false", r.bodyAsString(), "the old endpoint is no longer held");
        return connect(vertx, "/new");
      })
      .compose(c -> {
        client[0] = c;
        return node.awaitClients("/new", 1);
      })
      .compose(v -> {
        vertx.eventBus().publish("rule.r1", new JsonObject().put("v", 1));
        return client[0].awaitMessages(1);
      })
      .compose(msgs -> {
        assertEquals(new JsonArray().add(new JsonObject().put("v", 1)), new JsonArray((String) msgs.get(0)));
        return node.get("/rules/r1/status");
      })
      .map(r -> {
        assertEquals("running", r.bodyAsJsonObject().getString("status"));
        return null;
      })
      .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void updateWithAnotherIdInTheBodyIsRefused(Vertx vertx, VertxTestContext ctx) {
    start(vertx)
      .compose(n -> n.createRule(rule("r1", "/r1")))
      .compose(v -> node.put("/rules/r1", rule("r2", "/r2")))
      .compose(r -> {
        assertEquals(400, r.statusCode(), r.bodyAsString());
        assertJsonContentType(r);
        assertEquals(4000, r.bodyAsJsonObject().getInteger("error"));
        String message = r.bodyAsJsonObject().getString("message");
        assertTrue(message.contains("r1") && message.contains("r2"), message);
        return node.get("/rules");
      })
      .compose(r -> {
        assertEquals(1, r.bodyAsJsonArray().size(), r.bodyAsString());
        return node.get("/rules/r1");
      })
      .map(r -> {
        assertEquals(rule("r1", "/r1"), r.bodyAsJsonObject(), "the rule is unchanged");
        return null;
      })
      .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void updateWithAnInvalidDefinitionKeepsTheOldOne(Vertx vertx, VertxTestContext ctx) {
    start(vertx)
      .compose(n -> n.createRule(rule("r1", "/r1")))
      .compose(v -> node.put("/rules/r1", rule("r1", "no-slash")))
      .compose(r -> {
        assertError(r, 400, 4000, "websocket endpoint should start with /");
        return node.get("/rules/r1");
      })
      .compose(r -> {
        assertEquals(rule("r1", "/r1"), r.bodyAsJsonObject());
        return node.get("/rules/r1/status");
      })
      .map(r -> {
        assertEquals("running", r.bodyAsJsonObject().getString("status"));
        return null;
      })
      .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void deleteDropsTheRuleAndItsEndpoint(Vertx vertx, VertxTestContext ctx) {
    WsClient[] client = new WsClient[1];
    start(vertx)
      .compose(n -> n.createRule(rule("r1", "/r1")))
      .compose(v -> connect(vertx, "/r1"))
      .compose(c -> {
        client[0] = c;
        return node.delete("/rules/r1");
      })
      .compose(r -> {
        assertEquals(200, r.statusCode(), r.bodyAsString());
        assertEquals("Rule r1 is dropped.", r.bodyAsString());
        return client[0].closed();
      })
      .compose(code -> {
        assertEquals((short) 1001, code, "the last holder left: going away");
        return node.get("/rules/r1");
      })
      .compose(r -> {
        assertError(r, 404, 1002, "rule r1 is not found");
        return node.get("/rules");
      })
      .map(r -> {
        assertEquals(new JsonArray(), r.bodyAsJsonArray());
        return null;
      })
      .onComplete(ctx.succeedingThenComplete());
  }

  // ---- start, stop, restart, status -----------------------------------------------------------------------

  @Test
  void stopStartRestartAnswerAndTheStatusFollows(Vertx vertx, VertxTestContext ctx) {
    long[] firstStart = new long[1];
    start(vertx)
      .compose(n -> n.createRule(rule("r1", "/r1")))
      .compose(v -> node.get("/rules/r1/status"))
      .compose(r -> {
        firstStart[0] = r.bodyAsJsonObject().getLong("lastStartTimestamp");
        return node.post("/rules/r1/stop", null);
      })
      .compose(r -> {
        assertEquals(200, r.statusCode(), r.bodyAsString());
        assertEquals("Rule r1 was stopped.", r.bodyAsString());
        return node.get("/rules/r1/status");
      })
      .compose(r -> {
        JsonObject s = r.bodyAsJsonObject();
        assertEquals("stopped", s.getString("status"), s.encode());
        assertEquals("Stopped: canceled manually.", s.getString("message"));
        assertFalse(s.fieldNames().stream().anyMatch(k -> k.startsWith("sink_")), "no metrics for a stopped rule: " + s);
        return node.get("/connection/websocket?endpoint=/r1");
      })
      .compose(r -> {
        assertEquals("false", r.bodyAsString(), "a stopped rule holds no endpoint");
        return node.post("/rules/r1/start", null);
      })
      .compose(r -> {
        assertEquals(200, r.statusCode(), r.bodyAsString());
        assertEquals("Rule r1 was started.", r.bodyAsString());
        return node.get("/rules/r1/status");
      })
      .compose(r -> {
        assertEquals("running", r.bodyAsJsonObject().getString("status"));
        return node.post("/rules/r1/restart", null);
      })
      .compose(r -> {
        assertEquals(200, r.statusCode(), r.bodyAsString());
        assertEquals("Rule r1 was restarted.", r.bodyAsString());
        return node.get("/rules/r1/status");
      })
      .compose(r -> {
        JsonObject s = r.bodyAsJsonObject();
        assertEquals("running", s.getString("status"));
        assertTrue(s.getLong("lastStartTimestamp") >= firstStart[0], s.encode());
        return node.get("/rules");
      })
      .map(r -> {
        assertEquals("running", byId(r.bodyAsJsonArray(), "r1").getString("status"));
        return null;
      })
      .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void startingARunningRuleAndStoppingAStoppedRuleAreHarmless(Vertx vertx, VertxTestContext ctx) {
    start(vertx)
      .compose(n -> n.createRule(rule("r1", "/r1")))
      .compose(v -> node.post("/rules/r1/start", null))
      .compose(r -> {
        assertEquals(200, r.statusCode(), r.bodyAsString());
        assertEquals("Rule r1 was started.", r.bodyAsString());
        return node.post("/rules/r1/stop", null);
      })
      .compose(r -> node.post("/rules/r1/stop", null))
      .compose(r -> {
        assertEquals(200, r.statusCode(), r.bodyAsString());
        return node.get("/rules/r1/status");
      })
      .map(r -> {
        assertEquals("stopped", r.bodyAsJsonObject().getString("status"));
        return null;
      })
      .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void statusOfARunningServerModeRuleCountsWhatWasPublished(Vertx vertx, VertxTestContext ctx) {
    WsClient[] client = new WsClient[1];
    long before = System.currentTimeMillis();
    start(vertx)
      .compose(n -> n.createRule(rule("r1", "/r1")))
      .compose(v -> connect(vertx, "/r1"))
      .compose(c -> {
        client[0] = c;
        return node.awaitClients("/r1", 1);
      })
      .compose(v -> {
        for (int i = 0; i < 10; i++) {
          vertx.eventBus().publish("rule.r1", new JsonObject().put("i", i));
        }
        return client[0].awaitMessages(10);
      })
      .compose(msgs -> {
        assertEquals(10, msgs.size());
        return node.get("/rules/r1/status");
      })
      .map(r -> {
        assertEquals(200, r.statusCode());
        assertJsonContentType(r);
        JsonObject s = r.bodyAsJsonObject();
        assertEquals("running", s.getString("status"), s.encode());
        assertTrue(s.getLong("lastStartTimestamp") >= before, s.encode());
        String p = SINK0;
        for (String metric : METRICS) {
          assertTrue(s.containsKey(p + metric), "missing " + p + metric + " in " + s.encode());
        }
        assertEquals(10L, s.getLong(p + "records_in_total"), s.encode());
        assertEquals(10L, s.getLong(p + "records_out_total"), s.encode());
        assertEquals(0L, s.getLong(p + "records_dropped_total"), s.encode());
        assertEquals(0L, s.getLong(p + "exceptions_total"), s.encode());
        assertEquals("", s.getString(p + "last_exception"), s.encode());
        assertTrue(s.getLong(p + "last_invocation") >= before, s.encode());
        assertEquals(1, s.getInteger(p + "clients"), s.encode());
        assertFalse(s.containsKey("sink_websocket_1_0_records_in_total"), s.encode());
        return null;
      })
      .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void anUnsupportedBodyIsCountedAsAnException(Vertx vertx, VertxTestContext ctx) {
    start(vertx)
      .compose(n -> n.createRule(rule("r1", "/r1")))
      .compose(v -> vertx.eventBus().request("rule.r1", 42))
      .transform(ar -> {
        assertTrue(ar.failed(), "a request with an Integer body must get a failure reply");
        return node.awaitStatus("r1", "exception counted", s -> s.getLong(SINK0 + "exceptions_total", 0L) == 1L);
      })
      .map(s -> {
        assertEquals(1L, s.getLong("sink_websocket_0_0_records_in_total"), s.encode());
        assertFalse(s.getString("sink_websocket_0_0_last_exception").isEmpty(), s.encode());
        assertTrue(s.getLong("sink_websocket_0_0_last_exception_time") > 0, s.encode());
        return null;
      })
      .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void statusOfARuleWithTwoActionsHasKeysForEach(Vertx vertx, VertxTestContext ctx) {
    JsonObject definition = new JsonObject().put("id", "r2").put("actions", new JsonArray()
      .add(new JsonObject().put("websocket", new JsonObject().put("path", "/a")))
      .add(new JsonObject().put("websocket", new JsonObject().put("path", "/b"))));
    WsClient[] a = new WsClient[1];
    WsClient[] b = new WsClient[1];
    start(vertx)
      .compose(n -> n.createRule(definition))
      .compose(v -> connect(vertx, "/a"))
      .compose(c -> {
        a[0] = c;
        return connect(vertx, "/b");
      })
      .compose(c -> {
        b[0] = c;
        return node.awaitClients("/a", 1).compose(x -> node.awaitClients("/b", 1));
      })
      .compose(v -> {
        for (int i = 0; i < 3; i++) {
          vertx.eventBus().publish("rule.r2", new JsonObject().put("i", i));
        }
        return Future.all(a[0].awaitMessages(3), b[0].awaitMessages(3));
      })
      .compose(v -> node.get("/rules/r2/status"))
      .map(r -> {
        JsonObject s = r.bodyAsJsonObject();
        for (String p : List.of("sink_websocket_0_0_", "sink_websocket_1_0_")) {
          for (String metric : METRICS) {
            assertTrue(s.containsKey(p + metric), "missing " + p + metric + " in " + s.encode());
          }
          assertEquals(3L, s.getLong(p + "records_in_total"), s.encode());
          assertEquals(3L, s.getLong(p + "records_out_total"), s.encode());
          assertEquals(1, s.getInteger(p + "clients"), s.encode());
        }
        return null;
      })
      .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void statusOfAClientModeRuleShowsTheConnection(Vertx vertx, VertxTestContext ctx) {
    remote = new RecordingServer(vertx, "remote");
    remote.listen()
      .compose(port -> start(vertx).compose(n -> n.createRule(rule("c1", clientProps(port)))))
      .compose(v -> node.awaitStatus("c1", "connected", s -> s.getInteger(SINK0 + "connection_status", -2) == 1))
      .compose(s -> {
        for (int i = 0; i < 3; i++) {
          vertx.eventBus().publish("rule.c1", new JsonObject().put("i", i));
        }
        return remote.awaitMessages(3);
      })
      .compose(v -> node.get("/rules/c1/status"))
      .map(r -> {
        JsonObject s = r.bodyAsJsonObject();
        String p = SINK0;
        for (String metric : METRICS) {
          assertTrue(s.containsKey(p + metric), "missing " + p + metric + " in " + s.encode());
        }
        assertEquals(1, s.getInteger(p + "connection_status"), s.encode());
        assertEquals(3L, s.getLong(p + "records_in_total"), s.encode());
        assertEquals(3L, s.getLong(p + "records_out_total"), s.encode());
        assertEquals(new JsonArray().add(new JsonObject().put("i", 0)),
          new JsonArray((String) remote.messages().get(0)));
        return null;
      })
      .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void triggeredFalseCreatesAStoppedRule(Vertx vertx, VertxTestContext ctx) {
    start(vertx)
      .compose(n -> n.post("/rules", rule("r1", "/r1").put("triggered", false)))
      .compose(r -> {
        assertEquals(201, r.statusCode(), r.bodyAsString());
        assertEquals("Rule r1 was created successfully.", r.bodyAsString());
        return node.get("/rules/r1/status");
      })
      .compose(r -> {
        assertEquals("stopped", r.bodyAsJsonObject().getString("status"), r.bodyAsString());
        return node.get("/connection/websocket?endpoint=/r1");
      })
      .compose(r -> {
        assertEquals("false", r.bodyAsString(), "a stopped rule holds no endpoint");
        return node.post("/rules/r1/start", null);
      })
      .compose(r -> {
        assertEquals(200, r.statusCode(), r.bodyAsString());
        return node.get("/connection/websocket?endpoint=/r1");
      })
      .map(r -> {
        assertEquals("true", r.bodyAsString());
        return null;
      })
      .onComplete(ctx.succeedingThenComplete());
  }

  // ---- validate -------------------------------------------------------------------------------------------

  @Test
  void validateAnswersWithoutStoringAnything(Vertx vertx, VertxTestContext ctx) {
    start(vertx)
      .compose(n -> n.post("/rules/validate", rule("r1", "/r1")))
      .compose(r -> {
        assertEquals(200, r.statusCode(), r.bodyAsString());
        assertJsonContentType(r);
        assertEquals(new JsonObject().put("valid", true), r.bodyAsJsonObject());
        return node.post("/rules/validate", rule("r2", "r2"));
      })
      .compose(r -> {
        assertError(r, 422, 4000, "websocket endpoint should start with /");
        return node.post("/rules/validate", rule("r1", new JsonObject().put("path", "/x").put("pth", "/y")));
      })
      .compose(r -> {
        assertEquals(422, r.statusCode(), r.bodyAsString());
        assertEquals(4000, r.bodyAsJsonObject().getInteger("error"));
        assertTrue(r.bodyAsJsonObject().getString("message").contains("\"pth\""), r.bodyAsString());
        return node.get("/rules");
      })
      .compose(r -> {
        assertEquals(new JsonArray(), r.bodyAsJsonArray(), "validate stores nothing");
        return node.get("/connection/websocket");
      })
      .map(r -> {
        assertEquals(new JsonArray(), r.bodyAsJsonArray(), "validate starts nothing");
        return null;
      })
      .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void validateDoesNotCollideWithARuleNamedValidate(Vertx vertx, VertxTestContext ctx) {
    start(vertx)
      .compose(n -> n.createRule(rule("validate", "/v")))
      .compose(v -> node.get("/rules/validate"))
      .map(r -> {
        assertEquals(200, r.statusCode(), r.bodyAsString());
        assertEquals(rule("validate", "/v"), r.bodyAsJsonObject());
        return null;
      })
      .onComplete(ctx.succeedingThenComplete());
  }

  // ---- secrets, routing, ping, tokens ---------------------------------------------------------------------

  @Test
  void getMasksSecretHeaders(Vertx vertx, VertxTestContext ctx) {
    // §8: requestHeader values named Authorization/Cookie are masked in GET /rules/{id}
    JsonObject definition = new JsonObject().put("id", "s1").put("triggered", false).put("actions", new JsonArray()
      .add(new JsonObject().put("websocket", new JsonObject().put("addr", "127.0.0.1:1").put("path", "/in")
        .put("requestHeader", new JsonObject().put("Authorization", "Bearer top-secret").put("X-Trace", "t1")))));
    start(vertx)
      .compose(n -> n.createRule(definition))
      .compose(v -> node.get("/rules/s1"))
      .map(r -> {
        assertEquals(200, r.statusCode());
        assertFalse(r.bodyAsString().contains("top-secret"), r.bodyAsString());
        JsonObject headers = r.bodyAsJsonObject().getJsonArray("actions").getJsonObject(0).getJsonObject("websocket")
          .getJsonObject("requestHeader");
        assertEquals("******", headers.getString("Authorization"), r.bodyAsString());
        assertEquals("t1", headers.getString("X-Trace"));
        return null;
      })
      .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void putWithTheMaskKeepsTheStoredSecretAndTriggeredFalseStopsTheRule(Vertx vertx, VertxTestContext ctx) {
    JsonObject definition = new JsonObject().put("id", "s1").put("actions", new JsonArray()
      .add(new JsonObject().put("websocket", new JsonObject().put("path", "/s1")
        .put("requestHeader", new JsonObject().put("Cookie", "session=top-secret")))));
    start(vertx)
      .compose(n -> n.createRule(definition))
      .compose(v -> node.get("/rules/s1"))
      .compose(r -> node.put("/rules/s1", r.bodyAsJsonObject().put("triggered", false)))
      .compose(r -> {
        assertEquals(200, r.statusCode(), r.bodyAsString());
        return node.get("/rules/s1/status");
      })
      .compose(r -> {
        assertEquals("stopped", r.bodyAsJsonObject().getString("status"), "triggered: false on PUT: " + r.bodyAsString());
        return node.get("/connection/websocket?endpoint=/s1");
      })
      .compose(r -> {
        assertEquals("false", r.bodyAsString(), "the stopped rule released its endpoint");
        Future<Void> stopped = node.stop();
        node = null;
        return stopped;
      })
      // what PUT stored is the real secret, not the mask it was sent
      .compose(v -> io.wsink.store.SqliteStore.open(vertx, tmp.resolve("data").toString()))
      .compose(store -> store.loadRules().eventually(store::close))
      .map(rules -> {
        JsonObject props = rules.get(0).definition().getJsonArray("actions").getJsonObject(0).getJsonObject("websocket");
        assertEquals("session=top-secret", props.getJsonObject("requestHeader").getString("Cookie"));
        assertFalse(rules.get(0).running());
        return null;
      })
      .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void unknownRouteIs404AndWrongMethodIs405WithTheEnvelope(Vertx vertx, VertxTestContext ctx) {
    start(vertx)
      .compose(n -> n.get("/no/such/thing"))
      .compose(r -> {
        assertEquals(1002, assertErrorEnvelope(r, 404).getInteger("error"), r.bodyAsString());
        return node.delete("/rules");
      })
      .compose(r -> {
        assertEquals(1000, assertErrorEnvelope(r, 405).getInteger("error"), r.bodyAsString());
        return node.get("/ping");
      })
      .map(r -> {
        assertEquals(200, r.statusCode());
        return null;
      })
      .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void tokensGuardEveryCallButPing(Vertx vertx, VertxTestContext ctx) {
    http = WebClient.create(vertx);
    JsonObject extra = new JsonObject().put("rest", new JsonObject().put("tokens", new JsonArray().add("t1")));
    TestNode.start(vertx, tmp, extra)
      .compose(n -> {
        node = n;
        return http.get(n.restPort(), "127.0.0.1", "/rules").send();
      })
      .compose(r -> {
        assert401(r);
        return http.get(node.restPort(), "127.0.0.1", "/rules").putHeader("Authorization", "Bearer t2").send();
      })
      .compose(r -> {
        assert401(r);
        return http.get(node.restPort(), "127.0.0.1", "/rules").putHeader("Authorization", "t1").send();
      })
      .compose(r -> {
        assert401(r);
        return http.post(node.restPort(), "127.0.0.1", "/rules").putHeader("Content-Type", "application/json")
          .sendBuffer(Buffer.buffer(rule("r1", "/r1").encode()));
      })
      .compose(r -> {
        assert401(r);
        return http.get(node.restPort(), "127.0.0.1", "/ping").send();
      })
      .compose(r -> {
        assertEquals(200, r.statusCode(), "/ping needs no token");
        return http.get(node.restPort(), "127.0.0.1", "/rules").putHeader("Authorization", "Bearer t1").send();
      })
      .map(r -> {
        assertEquals(200, r.statusCode(), r.bodyAsString());
        assertEquals(new JsonArray(), r.bodyAsJsonArray(), "the unauthorised POST created nothing");
        return null;
      })
      .onComplete(ctx.succeedingThenComplete());
  }

  private static void assert401(HttpResponse<Buffer> r) {
    JsonObject body = assertErrorEnvelope(r, 401);
    assertFalse(body.getString("message").isEmpty(), body.encode());
  }

  // ---- helpers --------------------------------------------------------------------------------------------

  private Future<TestNode> start(Vertx vertx) {
    return TestNode.start(vertx, tmp).map(n -> node = n);
  }

  private Future<WsClient> connect(Vertx vertx, String path) {
    return WsClient.connect(vertx, node.dataUrl(path)).onSuccess(clients::add);
  }
}
