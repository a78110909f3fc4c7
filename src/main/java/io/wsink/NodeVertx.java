package io.wsink;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.Match;
import io.vertx.micrometer.MatchType;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;
import io.wsink.config.WsinkSettings;

import java.util.UUID;

/**
 * Builds the Vert.x instance of a node run by {@link Main}. What has to be decided before Vert.x exists is decided
 * here from the node's settings: metrics (§6.5) now, clustering (§7) once it arrives ({@code buildClustered()} with
 * {@code settings.cluster()}).
 *
 * <p>A library user builds their own Vert.x; {@link Wsink#deploy} works with or without metrics (see README,
 * Operations).
 */
public final class NodeVertx {

  private NodeVertx() {
  }

  public static Vertx create(WsinkSettings settings) {
    VertxBuilder builder = Vertx.builder();
    if (settings.metrics().enabled()) {
      withPrometheusMetrics(builder);
    }
    return builder.build();
  }

  /** A Vert.x with the metrics of a node: what {@link #create} builds when {@code metrics.enabled} is true. */
  public static Vertx withMetrics() {
    return withPrometheusMetrics(Vertx.builder()).build();
  }

  /**
   * Vert.x's own meters (HTTP server and client, event bus, worker pools) and the JVM's go to a Prometheus registry of
   * this instance's own, which {@code GET /metrics} serves together with wsink's meters. Vert.x's default labels are
   * kept — no event-bus address, no HTTP path, nothing that grows with rules or endpoints — but one: the connection
   * pool of a WebSocket client is named after its remote {@code host:port}, and those meters are never removed, so every
   * remote server ever dialled would leave a set behind. They are folded into {@code pool_name="remote"}; wsink's own
   * meters (label {@code url}) tell the remote servers apart, and go away with their rules.
   */
  private static VertxBuilder withPrometheusMetrics(VertxBuilder builder) {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    MicrometerMetricsOptions options = new MicrometerMetricsOptions()
      .setEnabled(true)
      .setJvmMetricsEnabled(true)
      .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true))
      .addLabelMatch(new Match().setDomain(MetricsDomain.NAMED_POOLS).setLabel(Label.POOL_NAME.toString())
        .setType(MatchType.REGEX).setValue(".+:\\d+").setAlias("remote"))
      // Vert.x keeps backend registries in a JVM-wide map by this name: a name of its own keeps two instances in one
      // JVM (tests, an application embedding several nodes) from sharing — and closing — one registry
      .setRegistryName("wsink-" + UUID.randomUUID());
    return builder.with(new VertxOptions().setMetricsOptions(options))
      .withMetrics(new MicrometerMetricsFactory(registry));
  }
}
