package io.wsink.rule;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.ext.web.client.HttpResponse;
import io.wsink.testkit.RecordingServer;
import io.wsink.testkit.Rules;
import io.wsink.testkit.TestNode;
import io.wsink.testkit.WsClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * §5 {@code concurrency}: an action runs that many sink instances. Each message of the rule reaches one instance of
 * each action (the instances share the work, order across them is not kept), every instance has its own status keys
 * {@code sink_websocket_<i>_<n>_…}, and stopping the rule stops them all.
 */
@ExtendWith(VertxExtension.class)
class ConcurrencyTest {

  private static final int MESSAGES = 30;

  private static JsonObject row(int seq) {
    return new JsonObject().put("seq", seq);
  }

  /** The sequence numbers of the messages a client or server got, as a sorted set, and their count. */
  private static Set<Integer> seqs(List<Object> messages) {
    return messages.stream().map(m -> new JsonObject(m.toString()).getInteger("seq")).collect(Collectors.toCollection(TreeSet::new));
  }

  private static Set<Integer> expected(int n) {
    return IntStream.range(0, n).boxed().collect(Collectors.toCollection(TreeSet::new));
  }

  private static long metric(JsonObject status, int action, int instance, String name) {
    String key = "sink_websocket_" + action + "_" + instance + "_" + name;
    assertTrue(status.containsKey(key), "status has " + key + ": " + status.encode());
    return status.getLong(key);
  }

  @Test
  void serverModeInstancesShareTheMessagesAndEachHoldsTheEndpoint(Vertx vertx, VertxTestContext ctx, @TempDir Path dir) {
    TestNode.start(vertx, dir).compose(node -> node.createRule(Rules.rule("c",
          Rules.serverProps("/c").put("concurrency", 3).put("sendSingle", true)))
        .compose(v -> WsClient.connect(vertx, node.dataUrl("/c")))
        .compose(client -> node.awaitClients("/c", 1).compose(e -> {
          ctx.verify(() -> assertEquals(List.of("rule:c", "rule:c#0.1", "rule:c#0.2"),
            e.getJsonArray("holders").getList().stream().sorted().toList(), "one holder per instance"));
          for (int i = 0; i < MESSAGES; i++) {
            vertx.eventBus().publish("rule.c", row(i));
          }
          return client.awaitMessages(MESSAGES);
        }).compose(messages -> {
          ctx.verify(() -> {
            assertEquals(MESSAGES, messages.size(), "each message once: " + messages);
            assertEquals(expected(MESSAGES), seqs(messages));
          });
          return node.awaitStatus("c", "every instance counted its messages", s ->
            IntStream.range(0, 3).mapToLong(n -> s.getLong("sink_websocket_0_" + n + "_records_out_total", 0L)).sum()
              == MESSAGES);
        }).compose(status -> {
          ctx.verify(() -> {
            long in = 0;
            for (int n = 0; n < 3; n++) {
              long instanceIn = metric(status, 0, n, "records_in_total");
              assertTrue(instanceIn > 0, "instance " + n + " took a share: " + status.encode());
              in += instanceIn;
            }
            assertEquals(MESSAGES, in, "no message went to two instances: " + status.encode());
            assertEquals(1, metric(status, 0, 2, "clients"));
            assertFalse(status.containsKey("sink_websocket_0_3_records_in_total"), status.encode());
          });
          return vertx.eventBus().<JsonObject>request("rule.c", row(MESSAGES));
        }).compose(ack -> {
          ctx.verify(() -> assertEquals(1, ack.body().getInteger("delivered"), "a request is acknowledged once"));
          return node.delete("/rules/c");
        }).compose(r -> node.endpoint("/c")))
        .eventually(node::stop))
      .onComplete(ctx.succeeding(endpoint -> ctx.verify(() -> {
        assertNull(endpoint, "dropping the rule released the endpoint of every instance");
        ctx.completeNow();
      })));
  }

  @Test
  void clientModeInstancesEachDialAndTogetherDeliverEveryMessageOnce(Vertx vertx, VertxTestContext ctx,
                                                                      @TempDir Path dir) {
    RecordingServer server = new RecordingServer(vertx, "remote");
    server.listen().compose(port -> TestNode.start(vertx, dir).compose(node -> node.createRule(Rules.rule("cc",
            Rules.clientProps(port).put("concurrency", 2).put("sendSingle", true)))
          .compose(v -> server.awaitUntil("two connections", s -> s.connections() == 2))
          .compose(v -> node.awaitStatus("cc", "both instances connected",
            s -> s.getInteger("sink_websocket_0_0_connection_status", 0) == 1
              && s.getInteger("sink_websocket_0_1_connection_status", 0) == 1))
          .compose(status -> {
            for (int i = 0; i < MESSAGES; i++) {
              vertx.eventBus().send("rule.cc", row(i));
            }
            return server.awaitMessages(MESSAGES);
          })
          .compose(messages -> {
            ctx.verify(() -> {
              assertEquals(MESSAGES, messages.size(), "each message once: " + messages);
              assertEquals(expected(MESSAGES), seqs(messages));
              assertEquals(2, server.connections(), "one connection per instance, no more");
            });
            return node.post("/rules/cc/stop", null);
          })
          .compose(r -> server.awaitUntil("both closed", s -> s.closeCodes().size() == 2))
          .eventually(node::stop)))
      .eventually(server::close)
      .onComplete(ctx.succeeding(v -> ctx.verify(() -> {
        assertEquals(List.of((short) 1000, (short) 1000), server.closeCodes(), "a rule stop closes every instance");
        ctx.completeNow();
      })));
  }

  @Test
  void eachActionGetsEveryMessageOnceWhateverItsConcurrency(Vertx vertx, VertxTestContext ctx, @TempDir Path dir) {
    TestNode.start(vertx, dir).compose(node -> node.createRule(Rules.rule("two",
          Rules.serverProps("/a").put("concurrency", 2).put("sendSingle", true),
          Rules.serverProps("/b").put("sendSingle", true)))
        .compose(v -> Future.all(WsClient.connect(vertx, node.dataUrl("/a")), WsClient.connect(vertx, node.dataUrl("/b"))))
        .compose(clients -> Future.all(node.awaitClients("/a", 1), node.awaitClients("/b", 1)).compose(x -> {
          for (int i = 0; i < MESSAGES; i++) {
            vertx.eventBus().send("rule.two", row(i));
          }
          return Future.all(clients.<WsClient>resultAt(0).awaitMessages(MESSAGES),
            clients.<WsClient>resultAt(1).awaitMessages(MESSAGES));
        }))
        .compose(got -> {
          ctx.verify(() -> {
            List<Object> a = got.resultAt(0);
            List<Object> b = got.resultAt(1);
            assertEquals(MESSAGES, a.size(), "action 0 (2 instances) got each message once: " + a);
            assertEquals(expected(MESSAGES), seqs(a));
            assertEquals(MESSAGES, b.size(), "action 1 got each message once: " + b);
            assertEquals(expected(MESSAGES).stream().map(i -> row(i).encode()).toList(), b,
              "a single instance keeps the order");
          });
          return node.awaitStatus("two", "all counted", s -> s.getLong("sink_websocket_1_0_records_in_total", 0L)
            == MESSAGES);
        })
        .eventually(node::stop))
      .onComplete(ctx.succeeding(status -> ctx.verify(() -> {
        assertEquals(MESSAGES, metric(status, 0, 0, "records_in_total") + metric(status, 0, 1, "records_in_total"));
        assertFalse(status.containsKey("sink_websocket_1_1_records_in_total"), status.encode());
        ctx.completeNow();
      })));
  }

  @Test
  void concurrencyIsCheckedAtCreation(Vertx vertx, VertxTestContext ctx, @TempDir Path dir) {
    List<JsonObject> refused = List.of(
      Rules.rule("zero", Rules.serverProps("/z").put("concurrency", 0)),
      Rules.rule("many", Rules.serverProps("/m").put("concurrency", 1000)),
      Rules.rule("text", Rules.serverProps("/t").put("concurrency", "2")));
    List<String> reasons = List.of(
      "invalid type for concurrency property, should be positive integer but found 0",
      "property concurrency must be at most 64 sink instances; got 1000",
      "must be an integer");
    TestNode.start(vertx, dir).compose(node -> Future.all(refused.stream().map(r -> node.post("/rules", r)).toList())
        .compose(answers -> {
          ctx.verify(() -> {
            for (int i = 0; i < refused.size(); i++) {
              HttpResponse<Buffer> answer = answers.resultAt(i);
              assertEquals(400, answer.statusCode(), answer.bodyAsString());
              String message = answer.bodyAsJsonObject().getString("message");
              assertTrue(message.contains(reasons.get(i)), message);
            }
          });
          return node.get("/rules");
        })
        .eventually(node::stop))
      .onComplete(ctx.succeeding(list -> ctx.verify(() -> {
        assertEquals(new JsonArray(), list.bodyAsJsonArray(), "no refused rule was stored");
        ctx.completeNow();
      })));
  }
}
