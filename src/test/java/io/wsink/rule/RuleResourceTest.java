package io.wsink.rule;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.wsink.testkit.TestNode;
import io.wsink.testkit.WsClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** §5 resourceId: an action starts from the named entry of conf/sinks/websocket.yaml and overrides it. */
@ExtendWith(VertxExtension.class)
class RuleResourceTest {

  private static final Map<String, JsonObject> RESOURCES = Map.of(
    "edge", new JsonObject().put("path", "/edge").put("sendSingle", true).put("omitIfEmpty", true));

  private static JsonObject rule(JsonObject websocket) {
    return new JsonObject().put("id", "r").put("actions", new JsonArray().add(new JsonObject().put("websocket", websocket)));
  }

  @Test
  void theActionStartsFromTheResourceAndOverridesItCaseInsensitively() {
    Rule r = Rule.parse(rule(new JsonObject().put("resourceId", "edge").put("SENDSINGLE", false)), RESOURCES);
    assertEquals("/edge", r.parsed().get(0).path(), "from the resource");
    assertTrue(r.parsed().get(0).omitIfEmpty(), "from the resource");
    assertFalse(r.parsed().get(0).sendSingle(), "the action's own value wins, whatever its case");
    assertEquals(new JsonObject().put("path", "/edge").put("omitIfEmpty", true).put("SENDSINGLE", false),
      r.actions().get(0), "the sink gets the merged properties, without resourceId");
    assertEquals("edge", r.definition().getJsonArray("actions").getJsonObject(0).getJsonObject("websocket")
      .getString("resourceId"), "the definition stays as given");
  }

  @Test
  void anUnknownResourceIsRefusedNamingTheDefinedOnes() {
    RuleException e = assertThrows(RuleException.class,
      () -> Rule.parse(rule(new JsonObject().put("resourceId", "edg")), RESOURCES));
    assertEquals("resourceId \"edg\" is not defined in conf/sinks/websocket.yaml; defined: edge", e.getMessage());
    e = assertThrows(RuleException.class, () -> Rule.parse(rule(new JsonObject().put("resourceId", "x")), Map.of()));
    assertTrue(e.getMessage().endsWith("(it defines none)"), e.getMessage());
  }

  @Test
  void aResourceIdMustBeAString() {
    RuleException e = assertThrows(RuleException.class,
      () -> Rule.parse(rule(new JsonObject().put("resourceId", 1)), RESOURCES));
    assertTrue(e.getMessage().contains("must be a string"), e.getMessage());
  }

  @Test
  void anEmptyResourceIdIsNoResource() {
    JsonObject props = new JsonObject().put("path", "/p").put("resourceId", "");
    assertSame(props, Rule.withResource(props, RESOURCES));
  }

  @Test
  void aNodeReadsConfSinksWebsocketYaml(Vertx vertx, VertxTestContext ctx, @TempDir Path dir) throws IOException {
    Path conf = dir.resolve("conf");
    Files.createDirectories(conf.resolve("sinks"));
    Files.writeString(conf.resolve("sinks/websocket.yaml"), "edge:\n  path: /from-resource\n  sendSingle: true\n");
    TestNode.start(vertx, dir, new JsonObject().put("confDir", conf.toString()))
      .compose(node -> node.createRule(new JsonObject().put("id", "res").put("actions", new JsonArray()
          .add(new JsonObject().put("websocket", new JsonObject().put("resourceId", "edge")))))
        .compose(v -> WsClient.connect(vertx, node.dataUrl("/from-resource")))
        .compose(client -> {
          vertx.eventBus().publish("rule.res", new JsonObject().put("a", 1));
          return client.awaitMessages(1);
        })
        .eventually(node::stop))
      .onComplete(ctx.succeeding(messages -> ctx.verify(() -> {
        assertEquals(List.of("{\"a\":1}"), messages, "path and sendSingle came from the resource");
        ctx.completeNow();
      })));
  }

  @Test
  void anEntryThatIsNotAMappingStopsStartUpNamingTheFile(Vertx vertx, VertxTestContext ctx, @TempDir Path dir)
    throws IOException {
    Path conf = dir.resolve("conf");
    Files.createDirectories(conf.resolve("sinks"));
    Files.writeString(conf.resolve("sinks/websocket.yaml"), "edge: 42\n");
    TestNode.start(vertx, dir, new JsonObject().put("confDir", conf.toString()))
      .onComplete(ctx.failing(err -> ctx.verify(() -> {
        assertTrue(err.getMessage().contains("sinks/websocket.yaml") && err.getMessage().contains("edge")
          && err.getMessage().contains("must be a mapping"), err.getMessage());
        ctx.completeNow();
      })));
  }
}
