package io.wsink.examples;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The README's library examples are the code of {@link LibraryExamples}, and they work as the README says. */
@ExtendWith(VertxExtension.class)
class ReadmeExamplesTest {

  private static final Path README = Path.of("README.md");
  private static final Path SOURCE = Path.of("src/test/java/io/wsink/examples/LibraryExamples.java");

  @Test
  void readmeQuotesTheCompiledExamplesVerbatim() throws IOException {
    String readme = Files.readString(README);
    String source = Files.readString(SOURCE);
    for (String tag : List.of("embed", "standalone")) {
      Matcher m = Pattern.compile("// tag::" + tag + "\\[]\\n(.*?)\\n\\s*// end::" + tag + "\\[]", Pattern.DOTALL)
        .matcher(source);
      assertTrue(m.find(), "example " + tag + " is tagged in " + SOURCE);
      String snippet = m.group(1).stripIndent().strip();
      assertTrue(readme.contains(snippet), "README.md must quote the " + tag + " example verbatim:\n" + snippet);
    }
  }

  @Test
  void embeddedNodeServesRulesCreatedOverRest(Vertx vertx, VertxTestContext ctx, @TempDir Path dir) {
    int restPort = TestNode.freePort();
    int dataPort = TestNode.freePort();
    WebClient http = WebClient.create(vertx);
    LibraryExamples.embedNode(vertx, restPort, dataPort, dir.resolve("data").toString())
      .compose(id -> http.post(restPort, "127.0.0.1", "/rules")
        .sendJsonObject(new JsonObject().put("id", "alerts")
          .put("actions", new io.vertx.core.json.JsonArray().add(new JsonObject()
            .put("websocket", new JsonObject().put("path", "/alerts").put("sendSingle", true))))))
      .compose(created -> {
        ctx.verify(() -> assertEquals(201, created.statusCode(), created.bodyAsString()));
        return WsClient.connect(vertx, "ws://127.0.0.1:" + dataPort + "/alerts");
      })
      .compose(client -> {
        vertx.eventBus().publish("rule.alerts", new JsonObject().put("level", "high"));
        return client.awaitMessages(1);
      })
      .onComplete(ctx.succeeding(messages -> ctx.verify(() -> {
        assertEquals(List.of("{\"level\":\"high\"}"), messages);
        ctx.completeNow();
      })));
  }

  @Test
  void standaloneSinkStartsItsDataServer(Vertx vertx, VertxTestContext ctx) {
    int dataPort = TestNode.freePort();
    LibraryExamples.standaloneSink(vertx, dataPort)
      .compose(id -> WsClient.connect(vertx, "ws://127.0.0.1:" + dataPort + "/temperature"))
      .compose(client -> {
        vertx.eventBus().publish("sensors.temperature", new JsonObject().put("t", 21.5));
        return client.awaitMessages(1);
      })
      .onComplete(ctx.succeeding(messages -> ctx.verify(() -> {
        assertEquals(List.of("{\"t\":21.5}"), messages);
        ctx.completeNow();
      })));
  }
}
