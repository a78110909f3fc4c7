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
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import io.wsink.cluster.HazelcastConfig;
import io.wsink.config.ClusterSettings;
import io.wsink.config.WsinkSettings;

import java.util.UUID;

/**
 * Builds the Vert.x instance of a node run by {@link Main}. What has to be decided before Vert.x exists is decided
 * here from the node's settings: metrics (§6.5) and clustering (§7: Hazelcast, configured by {@code cluster.xml}).
 *
 * <p>A library user builds their own Vert.x; {@link Wsink#deploy} works with or without metrics (see README,
 * Operations).
 */
public final class NodeVertx {

  private NodeVertx() {
  }

  /**
   * Blocks until a clustered Vert.x has joined its cluster: call it from a main thread, never from an event loop.
   *
   * @param confDir where a relative {@code cluster.config} is looked up
   */
  public static Vertx create(WsinkSettings settings, String confDir) {
    VertxOptions options = new VertxOptions();
    VertxBuilder builder = Vertx.builder();
    if (settings.metrics().enabled()) {
      withPrometheusMetrics(builder, options);
    }
    ClusterSettings cluster = settings.cluster();
    if (!cluster.enabled()) {
      return builder.with(options).build();
    }
    options.getEventBusOptions().setHost(cluster.host()).setPort(cluster.port());
    return builder.with(options)
      .withClusterManager(new HazelcastClusterManager(HazelcastConfig.load(confDir, cluster.config())))
      .buildClustered().await();
  }

  /** A Vert.x with the metrics of a node: what {@link #create} builds when {@code metrics.enabled} is true. */
  public static Vertx withMetrics() {
    VertxOptions options = new VertxOptions();
    return withPrometheusMetrics(Vertx.builder(), options).with(options).build();
  }

  /**
   * Vert.x's own meters (HTTP server and client, event bus, worker pools) and the JVM's go to a Prometheus registry of
   * this instance's own, which {@code GET /metrics} serves together with wsink's meters. Vert.x's default labels are
   * kept — no event-bus address, no HTTP path, nothing that grows with rules or endpoints — but one: the connection
   * pool of a WebSocket client is named after its remote {@code host:port}, and those meters are never removed, so every
   * remote server ever dialled would leave a set behind. They are folded into {@code pool_name="remote"}; wsink's own
   * meters (label {@code url}) tell the remote servers apart, and go away with their rules.
   */
  private static VertxBuilder withPrometheusMetrics(VertxBuilder builder, VertxOptions vertxOptions) {
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
    vertxOptions.setMetricsOptions(options);
    return builder.withMetrics(new MicrometerMetricsFactory(registry));
  }
}
