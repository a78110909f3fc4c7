package io.wsink.it;

import io.vertx.core.json.JsonObject;
import io.wsink.testkit.PrometheusText;
import io.wsink.testkit.TestNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static io.wsink.testkit.Rules.rule;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** §6.5 of the fat jar: the probes and the Prometheus scrape of a real process, as an operator's tools see them. */
@Timeout(60)
class OperationsIT {

  private static final int MESSAGES = 10;
  private static final Duration WAIT = Duration.ofSeconds(20);

  @RegisterExtension
  final ItResources resources = new ItResources();

  @TempDir
  Path dir;

  @Test
  void probesAndScrapeOfARunningNode() {
    WsinkProcess wsink = WsinkProcess.startNode(resources, dir);
    wsink.createRule(rule("ops", "/ops"));
    JwsClient client = JwsClient.connect(resources, wsink.dataUrl("/ops"));
    wsink.awaitClients("/ops", 1);
    for (int i = 0; i < MESSAGES; i++) {
      wsink.publish("rule.ops", new JsonObject().put("seq", i));
    }
    client.awaitMessages(MESSAGES, WAIT);

    assertEquals("UP", wsink.getObject("/health/live").getString("status"));
    JsonObject ready = wsink.getObject("/health/ready");
    assertEquals("UP", ready.getString("status"), ready::encode);
    assertEquals(5, ready.getJsonArray("checks").size(), ready::encode);

    HttpResponse<String> scrape = wsink.get("/metrics");
    assertEquals(200, scrape.statusCode(), scrape::body);
    assertEquals("text/plain; version=0.0.4; charset=utf-8", scrape.headers().firstValue("Content-Type").orElse(""));
    PrometheusText metrics = PrometheusText.parse(scrape.body());
    Map<String, String> labels = Map.of("rule", "ops", "action", "0", "instance", "0", "endpoint", "/ops", "url", "");
    assertEquals(MESSAGES, metrics.value("wsink_records_in_total", labels));
    assertEquals(MESSAGES, metrics.value("wsink_records_out_total", labels));
    assertEquals(MESSAGES, metrics.value("wsink_send_latency_seconds_count", labels));
    assertEquals(1, metrics.value("wsink_endpoint_clients", Map.of("endpoint", "/ops")));
    // Main builds its Vert.x with metrics: Vert.x's own meters and the JVM's are in the same scrape
    assertTrue(metrics.samples().stream().anyMatch(s -> s.name().startsWith("vertx_eventbus_")), "event-bus metrics");
    assertTrue(metrics.samples().stream().anyMatch(s -> s.name().startsWith("jvm_")), "JVM metrics");
  }

  @Test
  void metricsSwitchedOffByTheEnvironment() {
    int restPort = TestNode.freePort();
    int dataPort = TestNode.freePort();
    Map<String, String> env = new java.util.HashMap<>(WsinkProcess.portsEnv(restPort, dataPort));
    env.put("WSINK__METRICS__ENABLED", "false");
    WsinkProcess wsink = WsinkProcess.start(resources, dir, env, restPort, dataPort, "--data", "data").awaitReady();

    HttpResponse<String> scrape = wsink.get("/metrics");
    assertEquals(404, scrape.statusCode(), scrape::body);
    assertEquals("metrics are off on this node (metrics.enabled: false)",
      new JsonObject(scrape.body()).getString("message"));
    assertEquals("UP", wsink.getObject("/health/ready").getString("status"));
  }
}
