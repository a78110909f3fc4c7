package io.wsink.sink;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.wsink.pipeline.SinkPipeline;
import io.wsink.testkit.RecordingServer;
import io.wsink.testkit.TestNode;
import io.wsink.testkit.WsClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import java.util.zip.Inflater;

import static io.wsink.testkit.RestAssertions.assertError;
import static io.wsink.testkit.Rules.SINK0;
import static io.wsink.testkit.Rules.clientProps;
import static io.wsink.testkit.Rules.rule;
import static io.wsink.testkit.Rules.serverProps;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The §5 stages wired into a running node: rules created over REST, messages published on the event bus, frames read
 * by a real WebSocket client (server mode) or a real WebSocket server (client mode) on loopback and decoded by the JDK.
 */
@ExtendWith(VertxExtension.class)
@io.vertx.junit5.Timeout(value = 20, timeUnit = TimeUnit.SECONDS)
class PipelineStagesNodeTest {

  private static final byte[] KEY = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

  @TempDir
  Path dir;

  private TestNode node;
  private final List<WsClient> clients = new ArrayList<>();
  private RecordingServer server; // referenced until closed

  @AfterEach
  void stop(VertxTestContext ctx) {
    Future<Void> c = WsClient.closeAll(clients);
    Future<Void> s = server == null ? Future.succeededFuture() : server.close();
    Future.join(c, s).transform(ar -> node == null ? Future.<Void>succeededFuture() : node.stop())
      .onComplete(ctx.succeedingThenComplete());
  }

  // ------------------------------------------------------------------------------------------------ dataTemplate

  @Test
  void templateRendersEachRowAndAnExecutionErrorCountsWithoutStoppingTheRule(Vertx vertx, VertxTestContext ctx) {
    String path = "/tpl";
    JsonObject props = serverProps(path).put("sendSingle", true)
      .put("dataTemplate", "{\"t\":{{.temperature}},\"hot\":{{gt .temperature 30.0}}}");
    start(vertx)
      .compose(v -> node.createRule(rule("tpl", props)))
      .compose(v -> connect(vertx, path))
      .compose(client -> {
        vertx.eventBus().publish("rule.tpl", new JsonObject().put("temperature", 22.5));
        // gt of a string and a number: an execution error in Go's text/template
        vertx.eventBus().publish("rule.tpl", new JsonObject().put("temperature", "hot"));
        vertx.eventBus().publish("rule.tpl", new JsonObject().put("temperature", 35.5));
        return client.awaitMessages(2);
      })
      .compose(got -> {
        assertEquals(List.of("{\"t\":22.5,\"hot\":false}", "{\"t\":35.5,\"hot\":true}"), got,
          "the rendered text, as text frames; the failing message sends nothing");
        return node.status("tpl");
      })
      .map(st -> {
        assertEquals("running", st.getString("status"), st.encode());
        assertEquals(3, st.getLong(SINK0 + "records_in_total"), st.encode());
        assertEquals(1, st.getLong(SINK0 + "exceptions_total"), st.encode());
        String last = st.getString(SINK0 + "last_exception");
        assertTrue(last.startsWith("fail to encode data with dataTemplate for error "), last);
        assertTrue(st.getLong(SINK0 + "last_exception_time") > 0, st.encode());
        return null;
      })
      .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void anInvalidTemplateIsRefusedAtCreation(Vertx vertx, VertxTestContext ctx) {
    start(vertx)
      .compose(v -> node.post("/rules", rule("bad", serverProps("/bad").put("dataTemplate", "{{.a"))))
      .compose(r -> {
        assertEquals(400, r.statusCode(), r.bodyAsString());
        String message = r.bodyAsJsonObject().getString("message");
        assertTrue(message.contains("dataTemplate") && message.contains("is invalid"), message);
        return node.get("/rules/bad");
      })
      .map(r -> {
        assertEquals(404, r.statusCode(), "nothing stored: " + r.bodyAsString());
        return null;
      })
      .onComplete(ctx.succeedingThenComplete());
  }

  // ------------------------------------------------------------------------------------------- codecs, server mode

  @Test
  void gzipGoesOutAsABinaryFrameThatGzipInputStreamReads(Vertx vertx, VertxTestContext ctx) {
    String path = "/gz";
    start(vertx)
      .compose(v -> node.createRule(rule("gz", serverProps(path).put("compression", "gzip"))))
      .compose(v -> connect(vertx, path))
      .compose(client -> {
        vertx.eventBus().publish("rule.gz", new JsonObject().put("a", 1).put("s", "é✓"));
        return client.awaitMessages(1);
      })
      .map(got -> {
        Buffer frame = assertInstanceOf(Buffer.class, got.get(0), "a compressed frame is binary");
        assertEquals("[{\"a\":1,\"s\":\"é✓\"}]", gunzip(frame.getBytes()));
        return null;
      })
      .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void encryptionWithTheNodeKeyIsDecryptedByJdkCipher(Vertx vertx, VertxTestContext ctx) {
    String path = "/aes";
    JsonObject sink = new JsonObject().put("sink", new JsonObject().put("aesKey", Base64.getEncoder().encodeToString(KEY)));
    start(vertx, sink)
      .compose(v -> node.createRule(rule("aes", serverProps(path).put("sendSingle", true).put("encryption", "aes"))))
      .compose(v -> connect(vertx, path))
      .compose(client -> {
        vertx.eventBus().publish("rule.aes", new JsonObject().put("a", 1));
        vertx.eventBus().publish("rule.aes", "raw ✓");
        return client.awaitMessages(2);
      })
      .map(got -> {
        byte[] first = assertInstanceOf(Buffer.class, got.get(0), "an encrypted frame is binary").getBytes();
        assertEquals(16 + "{\"a\":1}".length(), first.length, "16-byte IV then the ciphertext");
        assertEquals("{\"a\":1}", decryptCfb(first));
        assertEquals("raw ✓", decryptCfb(assertInstanceOf(Buffer.class, got.get(1)).getBytes()),
          "a raw String is encrypted too");
        return null;
      })
      .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void encryptionWithoutANodeKeyIsRefusedAtCreationAndNothingIsStored(Vertx vertx, VertxTestContext ctx) {
    start(vertx)
      .compose(v -> node.post("/rules", rule("aes", serverProps("/aes").put("encryption", "aes"))))
      .compose(r -> {
        assertError(r, 400, SinkPipeline.NO_AES_KEY);
        return node.get("/rules/aes");
      })
      .compose(r -> {
        assertEquals(404, r.statusCode(), "nothing stored: " + r.bodyAsString());
        return node.get("/rules");
      })
      .compose(r -> {
        assertEquals(200, r.statusCode(), r.bodyAsString());
        assertEquals(new JsonArray(), r.bodyAsJsonArray(), "no rule listed");
        return node.post("/rules/validate", rule("aes", serverProps("/aes").put("encryption", "aes")));
      })
      .map(r -> {
        assertEquals(422, r.statusCode(), "validate refuses it too: " + r.bodyAsString());
        assertEquals(SinkPipeline.NO_AES_KEY, r.bodyAsJsonObject().getString("message"), r.bodyAsString());
        return null;
      })
      .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void encryptionWithoutANodeKeyIsRefusedOnUpdateAndTheOldRuleKeepsRunning(Vertx vertx, VertxTestContext ctx) {
    String path = "/upd";
    start(vertx)
      .compose(v -> node.createRule(rule("upd", serverProps(path))))
      .compose(v -> node.put("/rules/upd", rule("upd", serverProps(path).put("encryption", "aes"))))
      .compose(r -> {
        assertError(r, 400, SinkPipeline.NO_AES_KEY);
        return connect(vertx, path);
      })
      .compose(client -> {
        vertx.eventBus().publish("rule.upd", new JsonObject().put("a", 1));
        return client.awaitMessages(1);
      })
      .map(got -> {
        assertEquals("[{\"a\":1}]", got.get(0), "the stored definition is unchanged and running");
        return null;
      })
      .onComplete(ctx.succeedingThenComplete());
  }

  // --------------------------------------------------------------------------------------------------- batching

  @Test
  void batchSizeFlushesFullBatchesAndLingerFlushesTheRest(Vertx vertx, VertxTestContext ctx) {
    String path = "/batch";
    start(vertx)
      .compose(v -> node.createRule(rule("batch", serverProps(path).put("batchSize", 3).put("lingerInterval", 200))))
      .compose(v -> connect(vertx, path))
      .compose(client -> {
        for (int i = 0; i < 7; i++) {
          vertx.eventBus().publish("rule.batch", row(i));
        }
        return client.awaitMessages(3);
      })
      .map(got -> {
        assertEquals(List.of(rows(0, 1, 2), rows(3, 4, 5), rows(6)), arrays(got));
        return null;
      })
      .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void withoutLingerAPartialBatchWaitsUntilTheRuleStops(Vertx vertx, VertxTestContext ctx) {
    String path = "/partial";
    WsClient[] holder = new WsClient[1];
    start(vertx)
      .compose(v -> node.createRule(rule("partial", serverProps(path).put("batchSize", 3))))
      .compose(v -> connect(vertx, path))
      .compose(client -> {
        holder[0] = client;
        for (int i = 0; i < 7; i++) {
          vertx.eventBus().publish("rule.partial", row(i));
        }
        return client.awaitMessages(2);
      })
      // the status request reaches the sink after the 7 messages: all were taken, the 7th is held in the batch
      .compose(got -> node.status("partial"))
      .compose(st -> {
        assertEquals(7, st.getLong(SINK0 + "records_in_total"), st.encode());
        assertEquals(List.of(rows(0, 1, 2), rows(3, 4, 5)), arrays(holder[0].messages()),
          "two full batches; the 7th row waits for a third");
        return node.post("/rules/partial/stop", null);
      })
      .compose(r -> {
        assertEquals(200, r.statusCode(), r.bodyAsString());
        return holder[0].closed();
      })
      .map(code -> {
        assertEquals(List.of(rows(0, 1, 2), rows(3, 4, 5), rows(6)), arrays(holder[0].messages()),
          "stopping the rule flushes the partial batch before the endpoint closes");
        assertEquals((short) 1001, code, "the last holder of the endpoint went away");
        return null;
      })
      .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void lingerAloneSendsQuickMessagesAsOneFrame(Vertx vertx, VertxTestContext ctx) {
    String path = "/linger";
    start(vertx)
      .compose(v -> node.createRule(rule("linger", serverProps(path).put("lingerInterval", 150))))
      .compose(v -> connect(vertx, path))
      .compose(client -> {
        for (int i = 0; i < 3; i++) {
          vertx.eventBus().publish("rule.linger", row(i));
        }
        return client.awaitMessages(1).compose(first -> {
          // a later message starts a new batch: it arrives as a second frame, so the first had only 3 rows
          vertx.eventBus().publish("rule.linger", row(3));
          return client.awaitMessages(2);
        });
      })
      .map(got -> {
        assertEquals(List.of(rows(0, 1, 2), rows(3)), arrays(got));
        return null;
      })
      .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void batchedResultSetsGoThroughTheOtherStages(Vertx vertx, VertxTestContext ctx) {
    String path = "/bz";
    start(vertx)
      .compose(v -> node.createRule(rule("bz", serverProps(path).put("batchSize", 2).put("compression", "gzip")
        .put("dataTemplate", "{{range .}}{{.n}};{{end}}"))))
      .compose(v -> connect(vertx, path))
      .compose(client -> {
        for (int i = 0; i < 4; i++) {
          vertx.eventBus().publish("rule.bz", row(i));
        }
        return client.awaitMessages(2);
      })
      .map(got -> {
        assertEquals("0;1;", gunzip(assertInstanceOf(Buffer.class, got.get(0)).getBytes()),
          "the template sees the batch as one array; its output is compressed");
        assertEquals("2;3;", gunzip(assertInstanceOf(Buffer.class, got.get(1)).getBytes()));
        return null;
      })
      .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void sendSingleSplitsABatchIntoOneFramePerRow(Vertx vertx, VertxTestContext ctx) {
    String path = "/split";
    start(vertx)
      .compose(v -> node.createRule(rule("split", serverProps(path).put("batchSize", 2).put("sendSingle", true))))
      .compose(v -> connect(vertx, path))
      .compose(client -> {
        for (int i = 0; i < 4; i++) {
          vertx.eventBus().publish("rule.split", row(i));
        }
        return client.awaitMessages(4);
      })
      .map(got -> {
        List<Object> expected = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
          expected.add(row(i).encode());
        }
        assertEquals(expected, got);
        return null;
      })
      .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void acknowledgementsCompleteWithTheBatchThatHoldsTheirRow(Vertx vertx, VertxTestContext ctx) {
    String path = "/ack";
    WsClient[] holder = new WsClient[1];
    start(vertx)
      .compose(v -> node.createRule(rule("ack", serverProps(path).put("batchSize", 3).put("lingerInterval", 300))))
      .compose(v -> connect(vertx, path))
      .compose(client -> {
        holder[0] = client;
        // three requests: the third completes the batch; all three are answered once it is handed to the client
        Future<Message<JsonObject>> r0 = vertx.eventBus().request("rule.ack", row(0));
        Future<Message<JsonObject>> r1 = vertx.eventBus().request("rule.ack", row(1));
        Future<Message<JsonObject>> r2 = vertx.eventBus().request("rule.ack", row(2));
        return Future.all(r0, r1, r2).map(all -> List.of(r0.result().body(), r1.result().body(), r2.result().body()));
      })
      .compose(replies -> {
        JsonObject one = new JsonObject().put("delivered", 1);
        assertEquals(List.of(one, one, one), replies);
        // a lone row waits in a partial batch: its request is answered when the linger flushes it
        return vertx.eventBus().<JsonObject>request("rule.ack", row(3));
      })
      .compose(reply -> {
        assertEquals(new JsonObject().put("delivered", 1), reply.body());
        return holder[0].awaitMessages(2);
      })
      .map(got -> {
        assertEquals(List.of(rows(0, 1, 2), rows(3)), arrays(got));
        return null;
      })
      .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void aRawStringEndsTheBatchAndOrderIsKept(Vertx vertx, VertxTestContext ctx) {
    String path = "/rawb";
    start(vertx)
      .compose(v -> node.createRule(rule("rawb", serverProps(path).put("batchSize", 3))))
      .compose(v -> connect(vertx, path))
      .compose(client -> {
        vertx.eventBus().publish("rule.rawb", row(0));
        vertx.eventBus().publish("rule.rawb", "raw");
        for (int i = 1; i < 4; i++) {
          vertx.eventBus().publish("rule.rawb", row(i));
        }
        return client.awaitMessages(3);
      })
      .map(got -> {
        assertEquals(3, got.size(), got.toString());
        assertEquals(rows(0), new JsonArray((String) got.get(0)), "the partial batch before the raw payload");
        assertEquals("raw", got.get(1), "the raw payload on its own, as it was published");
        assertEquals(rows(1, 2, 3), new JsonArray((String) got.get(2)), "then a fresh batch");
        return null;
      })
      .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void aTemplateErrorOnOneRowOfABatchLosesOnlyThatRow(Vertx vertx, VertxTestContext ctx) {
    // batched messages are still separate messages: with sendSingle each row is rendered and sent on its own (eKuiper
    // sends each row of a result set separately and keeps going after one fails), so one bad row costs only itself
    String path = "/tplbatch";
    JsonObject props = serverProps(path).put("sendSingle", true).put("batchSize", 3)
      .put("dataTemplate", "{\"t\":{{.temperature}},\"hot\":{{gt .temperature 30.0}}}");
    start(vertx)
      .compose(v -> node.createRule(rule("tplbatch", props)))
      .compose(v -> connect(vertx, path))
      .compose(client -> {
        Future<Message<JsonObject>> good1 = vertx.eventBus().request("rule.tplbatch",
          new JsonObject().put("temperature", 22.5));
        Future<Message<JsonObject>> bad = vertx.eventBus().request("rule.tplbatch",
          new JsonObject().put("temperature", "hot"));
        Future<Message<JsonObject>> good2 = vertx.eventBus().request("rule.tplbatch",
          new JsonObject().put("temperature", 35.5));
        return Future.join(good1, bad, good2).transform(ar -> {
          assertTrue(bad.failed(), "the bad row's request fails");
          assertTrue(good1.succeeded(), "the first good row is delivered: " + good1.cause());
          assertTrue(good2.succeeded(), "the second good row is delivered: " + good2.cause());
          assertEquals(new JsonObject().put("delivered", 1), good1.result().body());
          assertEquals(new JsonObject().put("delivered", 1), good2.result().body());
          return client.awaitMessages(2);
        });
      })
      .compose(got -> {
        assertEquals(List.of("{\"t\":22.5,\"hot\":false}", "{\"t\":35.5,\"hot\":true}"), got);
        return node.status("tplbatch");
      })
      .map(st -> {
        assertEquals(1, st.getLong(SINK0 + "exceptions_total"), st.encode());
        return null;
      })
      .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void aTemplateErrorOnOneRowOfAResultSetWithSendSingleLosesOnlyThatRow(Vertx vertx, VertxTestContext ctx) {
    // eKuiper (sendSingle): each row of a result set is transformed and sent on its own; an error on one is counted and
    // the others still go out
    String path = "/tplset";
    JsonObject props = serverProps(path).put("sendSingle", true)
      .put("dataTemplate", "{\"t\":{{.temperature}},\"hot\":{{gt .temperature 30.0}}}");
    start(vertx)
      .compose(v -> node.createRule(rule("tplset", props)))
      .compose(v -> connect(vertx, path))
      .compose(client -> {
        vertx.eventBus().publish("rule.tplset", new JsonArray().add(new JsonObject().put("temperature", 22.5))
          .add(new JsonObject().put("temperature", "hot")).add(new JsonObject().put("temperature", 35.5)));
        // a sentinel message: once it arrives, everything the result set produced has arrived before it
        vertx.eventBus().publish("rule.tplset", new JsonObject().put("temperature", 40.5));
        return client.awaitUntil(all -> all.contains("{\"t\":40.5,\"hot\":true}"));
      })
      .compose(got -> {
        assertEquals(List.of("{\"t\":22.5,\"hot\":false}", "{\"t\":35.5,\"hot\":true}",
          "{\"t\":40.5,\"hot\":true}"), got, "the good rows of the result set, then the sentinel");
        return node.status("tplset");
      })
      .map(st -> {
        assertEquals(1, st.getLong(SINK0 + "exceptions_total"), st.encode());
        return null;
      })
      .onComplete(ctx.succeedingThenComplete());
  }

  // ------------------------------------------------------------------------------------------------- client mode

  @Test
  void clientModeWithZlibSendsBinaryFramesThatInflaterReads(Vertx vertx, VertxTestContext ctx) {
    server = new RecordingServer(vertx, "zlib peer");
    start(vertx)
      .compose(v -> server.listen())
      .compose(port -> node.createRule(rule("cz", clientProps(port).put("compression", "zlib"))))
      .compose(v -> server.awaitUntil("a connection", s -> s.connections() == 1))
      .compose(v -> {
        vertx.eventBus().publish("rule.cz", row(0));
        vertx.eventBus().publish("rule.cz", "text ✓");
        return server.awaitMessages(2);
      })
      .map(got -> {
        assertEquals(2, got.size(), got.toString());
        assertEquals(rows(0).encode(), inflate(assertInstanceOf(Buffer.class, got.get(0), "compressed: binary")
          .getBytes()));
        assertEquals("text ✓", inflate(assertInstanceOf(Buffer.class, got.get(1)).getBytes()));
        return null;
      })
      .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void clientModeWithBatchingAndEncryptionSendsDecryptableResultSets(Vertx vertx, VertxTestContext ctx) {
    server = new RecordingServer(vertx, "aes peer");
    JsonObject sink = new JsonObject().put("sink", new JsonObject().put("aesKey", Base64.getEncoder().encodeToString(KEY)));
    start(vertx, sink)
      .compose(v -> server.listen())
      .compose(port -> node.createRule(rule("ce", clientProps(port).put("batchSize", 2).put("encryption", "aes"))))
      .compose(v -> server.awaitUntil("a connection", s -> s.connections() == 1))
      .compose(v -> {
        for (int i = 0; i < 4; i++) {
          vertx.eventBus().publish("rule.ce", row(i));
        }
        return server.awaitMessages(2);
      })
      .map(got -> {
        assertEquals(rows(0, 1).encode(), decryptCfb(assertInstanceOf(Buffer.class, got.get(0)).getBytes()));
        assertEquals(rows(2, 3).encode(), decryptCfb(assertInstanceOf(Buffer.class, got.get(1)).getBytes()));
        return null;
      })
      .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void clientModeStopFlushesThePartialBatchBeforeTheClose(Vertx vertx, VertxTestContext ctx) {
    server = new RecordingServer(vertx, "batch peer");
    start(vertx)
      .compose(v -> server.listen())
      .compose(port -> node.createRule(rule("cb", clientProps(port).put("batchSize", 3))))
      .compose(v -> server.awaitUntil("a connection", s -> s.connections() == 1))
      .compose(v -> {
        for (int i = 0; i < 4; i++) {
          vertx.eventBus().publish("rule.cb", row(i));
        }
        return server.awaitMessages(1);
      })
      .compose(got -> node.post("/rules/cb/stop", null))
      .compose(r -> {
        assertEquals(200, r.statusCode(), r.bodyAsString());
        return server.awaitUntil("the close", s -> !s.closeCodes().isEmpty());
      })
      .map(v -> {
        assertEquals(List.of(rows(0, 1, 2), rows(3)), arrays(server.messages()),
          "the partial batch is written before the close");
        assertEquals(List.of((short) 1000), server.closeCodes(), "a rule stop closes with 1000");
        return null;
      })
      .onComplete(ctx.succeedingThenComplete());
  }

  // ---------------------------------------------------------------------------------------------------- helpers

  private Future<Void> start(Vertx vertx) {
    return start(vertx, new JsonObject());
  }

  private Future<Void> start(Vertx vertx, JsonObject extra) {
    return TestNode.start(vertx, dir, extra).map(n -> {
      node = n;
      return null;
    });
  }

  /** Connects a client to endpoint {@code path} and waits until the data server counts it. */
  private Future<WsClient> connect(Vertx vertx, String path) {
    return WsClient.connect(vertx, node.dataUrl(path)).compose(c -> {
      clients.add(c);
      return node.awaitClients(path, 1).map(c);
    });
  }

  private static JsonObject row(int n) {
    return new JsonObject().put("n", n);
  }

  private static JsonArray rows(int... ns) {
    JsonArray out = new JsonArray();
    for (int n : ns) {
      out.add(row(n));
    }
    return out;
  }

  /** Text frames read as JSON arrays (fails on a binary frame or other JSON). */
  private static List<JsonArray> arrays(List<Object> frames) {
    List<JsonArray> out = new ArrayList<>();
    for (Object f : frames) {
      out.add(new JsonArray(assertInstanceOf(String.class, f, "a result set is a text frame")));
    }
    return out;
  }

  private static String gunzip(byte[] data) {
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(data))) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (Exception e) {
      throw new AssertionError("not a gzip stream", e);
    }
  }

  private static String inflate(byte[] data) {
    Inflater inflater = new Inflater();
    try {
      inflater.setInput(data);
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      byte[] chunk = new byte[256];
      for (int i = 0; i < 100_000 && !inflater.finished(); i++) {
        int n = inflater.inflate(chunk);
        if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
          break;
        }
        out.write(chunk, 0, n);
      }
      assertTrue(inflater.finished(), "a complete zlib stream");
      return out.toString(StandardCharsets.UTF_8);
    } catch (java.util.zip.DataFormatException e) {
      throw new AssertionError("not a zlib stream", e);
    } finally {
      inflater.end();
    }
  }

  private static String decryptCfb(byte[] data) {
    try {
      Cipher cipher = Cipher.getInstance("AES/CFB/NoPadding");
      cipher.init(Cipher.DECRYPT_MODE, new SecretKeySpec(KEY, "AES"), new IvParameterSpec(data, 0, 16));
      return new String(cipher.doFinal(data, 16, data.length - 16), StandardCharsets.UTF_8);
    } catch (Exception e) {
      throw new AssertionError("AES-CFB decryption failed", e);
    }
  }
}
