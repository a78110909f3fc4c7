package io.wsink.api;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.wsink.NodeVertx;
import io.wsink.ops.NodeMetrics;
import io.wsink.testkit.Poll;
import io.wsink.testkit.PrometheusText;
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
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static io.wsink.testkit.RestAssertions.assertError;
import static io.wsink.testkit.Rules.SINK0;
import static io.wsink.testkit.Rules.clientProps;
import static io.wsink.testkit.Rules.rule;
import static io.wsink.testkit.Rules.serverProps;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** §6.5 {@code GET /metrics}: Prometheus text with Vert.x's, the JVM's and wsink's own meters per rule action. */
@ExtendWith(VertxExtension.class)
@io.vertx.junit5.Timeout(value = 40, timeUnit = TimeUnit.SECONDS)
class MetricsApiTest {

  private static final int MESSAGES = 10;

  @TempDir
  Path tmp;

  /** A Vert.x with metrics, built as Main builds it; closed after each test. */
  private Vertx metricsVertx;
  private TestNode node;
  private RecordingServer remote;
  private final List<WsClient> clients = new ArrayList<>();

  @AfterEach
  void tearDown(VertxTestContext ctx) {
    WsClient.closeAll(clients)
      .transform(ar -> node == null ? Future.succeededFuture() : node.stop())
      .transform(ar -> remote == null ? Future.succeededFuture() : remote.close())
      .transform(ar -> metricsVertx == null ? Future.succeededFuture() : metricsVertx.close())
      .onComplete(ar -> ctx.completeNow());
  }

  @Test
  void serverAndClientModeRulesShowWhatTheyDidUnderTheirLabels(VertxTestContext ctx) {
    metricsVertx = NodeVertx.withMetrics();
    remote = new RecordingServer(metricsVertx, "remote");
    Map<String, String> srv = Map.of("rule", "srv", "action", "0", "instance", "0", "endpoint", "/m", "url", "");
    AtomicReference<Map<String, String>> client = new AtomicReference<>();
    PrometheusText[] before = new PrometheusText[1];
    remote.listen()
      .compose(port -> {
        client.set(Map.of("rule", "cli", "action", "0", "instance", "0", "endpoint", "",
          "url", "ws://127.0.0.1:" + port + "/in"));
        return TestNode.start(metricsVertx, tmp).compose(n -> {
          node = n;
          return node.createRule(rule("srv", serverProps("/m").put("sendSingle", true)));
        }).compose(v -> node.createRule(rule("cli", clientProps(port).put("sendSingle", true))));
      })
      .compose(v -> node.awaitStatus("cli", "connected", s -> s.getInteger(SINK0 + "connection_status") == 1))
      .compose(s -> connect("/m"))
      .compose(c -> connect("/m"))
      .compose(c -> node.awaitClients("/m", 2))
      .compose(e -> scrape())
      .compose(metrics -> {
        before[0] = metrics;
        ctx.verify(() -> {
          // every meter of a sink carries exactly these labels: its own, and an empty one for the other mode
          assertEquals(srv, single(metrics, "wsink_records_in_total", srv).labels());
          assertEquals(client.get(), single(metrics, "wsink_records_in_total", client.get()).labels());
          assertEquals(2, metrics.value("wsink_endpoint_clients", Map.of("endpoint", "/m")), "two WsClients");
          assertEquals(1, metrics.value("wsink_connection_status", client.get()), "client mode connected");
          assertEquals(0, metrics.value("wsink_reconnects_total", client.get()));
          assertTrue(metrics.find("wsink_connection_status", srv).isEmpty(), "server mode has no connection");
          assertEquals("counter", metrics.type("wsink_records_in_total"));
          assertEquals("gauge", metrics.type("wsink_endpoint_clients"));
          assertEquals("histogram", metrics.type("wsink_send_latency_seconds"));
          // Vert.x's own meters and the JVM's are in the same scrape
          assertTrue(metrics.samples().stream().anyMatch(s -> s.name().startsWith("vertx_http_server_")),
            "Vert.x HTTP server metrics");
          assertTrue(metrics.samples().stream().anyMatch(s -> s.name().startsWith("jvm_memory_")), "JVM metrics");
        });
        for (int i = 0; i < MESSAGES; i++) {
          metricsVertx.eventBus().publish("rule.srv", new JsonObject().put("seq", i));
          metricsVertx.eventBus().publish("rule.cli", new JsonObject().put("seq", i));
        }
        return Future.all(clients.get(0).awaitMessages(MESSAGES), clients.get(1).awaitMessages(MESSAGES),
          remote.awaitMessages(MESSAGES));
      })
      .compose(v -> scrape())
      .compose(after -> {
        ctx.verify(() -> {
          for (Map<String, String> labels : List.of(srv, client.get())) {
            for (String name : List.of("wsink_records_in_total", "wsink_records_out_total",
              "wsink_send_latency_seconds_count")) {
              assertEquals(before[0].value(name, labels) + MESSAGES, after.value(name, labels), name + labels);
            }
            assertEquals(0, after.value("wsink_records_dropped_total", labels), "dropped" + labels);
            assertEquals(0, after.value("wsink_exceptions_total", labels), "exceptions" + labels);
            assertEquals(MESSAGES, after.value("wsink_send_latency_seconds_bucket",
              with(labels, "le", "+Inf")), "every send is in the +Inf bucket" + labels);
          }
        });
        return remote.close();
      })
      // the remote server goes away: the connection is lost and redialled
      .compose(v -> Poll.until(metricsVertx, "the client-mode connection to be lost and redialled", this::scrape,
        m -> m.value("wsink_connection_status", client.get()) != 1 && m.value("wsink_reconnects_total", client.get()) >= 1))
      .compose(m -> node.delete("/rules/srv"))
      .compose(r -> node.delete("/rules/cli"))
      .compose(r -> scrape())
      .onComplete(ctx.succeeding(after -> ctx.verify(() -> {
        assertEquals(List.of(), after.withLabel("rule", "srv"), "a dropped rule leaves no series");
        assertEquals(List.of(), after.withLabel("rule", "cli"), "a dropped rule leaves no series");
        assertEquals(List.of(), after.withLabel("endpoint", "/m"), "nor does its endpoint");
        ctx.completeNow();
      })));
  }

  @Test
  void aStoppedRuleHasNoSeriesAndRestartsFromZero(VertxTestContext ctx) {
    metricsVertx = NodeVertx.withMetrics();
    Map<String, String> labels = Map.of("rule", "r", "endpoint", "/s");
    TestNode.start(metricsVertx, tmp)
      .compose(n -> {
        node = n;
        return node.createRule(rule("r", "/s"));
      })
      .compose(v -> {
        metricsVertx.eventBus().publish("rule.r", new JsonObject().put("a", 1));
        return node.awaitStatus("r", "one message in", s -> s.getLong(SINK0 + "records_in_total") == 1);
      })
      .compose(s -> scrape())
      .compose(m -> {
        ctx.verify(() -> assertEquals(1, m.value("wsink_records_in_total", labels)));
        return node.post("/rules/r/stop", null);
      })
      .compose(r -> scrape())
      .compose(m -> {
        ctx.verify(() -> assertEquals(List.of(), m.withLabel("rule", "r"), "a stopped rule leaves no series"));
        return node.post("/rules/r/start", null);
      })
      .compose(r -> scrape())
      .onComplete(ctx.succeeding(m -> ctx.verify(() -> {
        assertEquals(0, m.value("wsink_records_in_total", labels), "a started rule counts afresh (a counter reset)");
        ctx.completeNow();
      })));
  }

  @Test
  void createAndDeleteCyclesLeaveNoMetersBehind(VertxTestContext ctx) {
    metricsVertx = NodeVertx.withMetrics();
    PrometheusMeterRegistry registry = NodeMetrics.prometheusRegistryOf(metricsVertx);
    int cycles = 15;
    int[] metersAfterFirstCycle = new int[1];
    Future<Void> chain = TestNode.start(metricsVertx, tmp).map(n -> {
      node = n;
      return null;
    });
    for (int i = 0; i < cycles; i++) {
      int cycle = i;
      chain = chain
        .compose(v -> node.createRule(rule("c" + cycle, serverProps("/c" + cycle), clientProps(TestNode.freePort()))))
        .compose(v -> scrape())
        .compose(m -> {
          ctx.verify(() -> assertEquals(2, m.find("wsink_records_in_total", Map.of("rule", "c" + cycle)).size(),
            "both actions of rule c" + cycle + " are shown"));
          return node.delete("/rules/c" + cycle);
        })
        .compose(r -> scrape())
        .map(m -> {
          ctx.verify(() -> assertEquals(List.of(), m.withLabel("rule", "c" + cycle)));
          if (cycle == 0) {
            metersAfterFirstCycle[0] = nonJvmMeters(registry);
          }
          return null;
        });
    }
    chain.onComplete(ctx.succeeding(v -> ctx.verify(() -> {
      assertEquals(List.of(), registry.getMeters().stream().map(m -> m.getId().getName())
        .filter(name -> name.startsWith("wsink.")).toList(), "no wsink meter left");
      assertEquals(metersAfterFirstCycle[0], nonJvmMeters(registry),
        "the registry does not grow with create/delete cycles (Vert.x's connection pools included)");
      ctx.completeNow();
    })));
  }

  @Test
  void concurrentInstancesAreLabelledApart(VertxTestContext ctx) {
    metricsVertx = NodeVertx.withMetrics();
    TestNode.start(metricsVertx, tmp)
      .compose(n -> {
        node = n;
        return node.createRule(rule("par", serverProps("/p").put("concurrency", 2)));
      })
      .compose(v -> scrape())
      .onComplete(ctx.succeeding(m -> ctx.verify(() -> {
        assertEquals(List.of("0", "1"), m.find("wsink_records_in_total", Map.of("rule", "par")).stream()
          .map(s -> s.labels().get("instance")).sorted().toList());
        ctx.completeNow();
      })));
  }

  /** wsink as a library in a Vert.x built without metrics: its own meters only, and the scrape says so. */
  @Test
  void aVertxWithoutMetricsGetsWsinksMetersOnly(Vertx vertx, VertxTestContext ctx) {
    TestNode.start(vertx, tmp)
      .compose(n -> {
        node = n;
        return node.createRule(rule("lib", "/lib"));
      })
      .compose(v -> node.get("/metrics"))
      .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
        assertEquals(200, r.statusCode(), r.bodyAsString());
        String text = r.bodyAsString();
        assertTrue(text.startsWith("# wsink: this Vert.x instance was built without Micrometer metrics"), text);
        PrometheusText m = PrometheusText.parse(text);
        assertEquals(0, m.value("wsink_records_in_total", Map.of("rule", "lib")));
        assertFalse(m.samples().stream().anyMatch(s -> s.name().startsWith("vertx_") || s.name().startsWith("jvm_")),
          "no Vert.x or JVM meters without Vert.x metrics");
        ctx.completeNow();
      })));
  }

  @Test
  void metricsSwitchedOffAnswer404AndTheStatusStillCounts(Vertx vertx, VertxTestContext ctx) {
    TestNode.start(vertx, tmp, new JsonObject().put("metrics", new JsonObject().put("enabled", false)))
      .compose(n -> {
        node = n;
        return node.createRule(rule("off", "/off"));
      })
      .compose(v -> node.get("/metrics"))
      .compose(r -> {
        ctx.verify(() -> assertError(r, 404, 1002, "metrics are off on this node (metrics.enabled: false)"));
        vertx.eventBus().publish("rule.off", new JsonObject().put("a", 1));
        return node.awaitStatus("off", "the message counted", s -> s.getLong(SINK0 + "records_in_total") == 1);
      })
      .onComplete(ctx.succeedingThenComplete());
  }

  /** The JVM's meters may come with new tags as the JVM goes (a GC of a new cause); the others may not. */
  private static int nonJvmMeters(PrometheusMeterRegistry registry) {
    return (int) registry.getMeters().stream().filter(m -> !m.getId().getName().startsWith("jvm.")).count();
  }

  private Future<WsClient> connect(String path) {
    return WsClient.connect(node.vertx(), node.dataUrl(path)).onSuccess(clients::add);
  }

  /** {@code GET /metrics}: 200, the text format's content type, and text that parses strictly. */
  private Future<PrometheusText> scrape() {
    return node.get("/metrics").map(r -> {
      assertEquals(200, r.statusCode(), r.bodyAsString());
      assertEquals("text/plain; version=0.0.4; charset=utf-8", r.getHeader("Content-Type"));
      return PrometheusText.parse(r.bodyAsString());
    });
  }

  private static PrometheusText.Sample single(PrometheusText m, String name, Map<String, String> labels) {
    List<PrometheusText.Sample> found = m.find(name, labels);
    assertEquals(1, found.size(), () -> name + labels + ": " + found);
    return found.get(0);
  }

  private static Map<String, String> with(Map<String, String> labels, String key, String value) {
    Map<String, String> all = new java.util.HashMap<>(labels);
    all.put(key, value);
    return all;
  }
}
