package io.wsink.ops;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.spi.metrics.MetricsProvider;
import io.vertx.micrometer.impl.MicrometerMetrics;
import io.wsink.config.MetricsSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the meters of a node go and what {@code GET /metrics} serves (§6.5):
 * <ul>
 *   <li>a Vert.x built with Micrometer metrics and a Prometheus registry (as {@link io.wsink.NodeVertx} builds it):
 *   that registry, so one scrape has Vert.x's, the JVM's and wsink's meters;</li>
 *   <li>a Vert.x without (wsink as a library in somebody else's Vert.x): a registry of the node's own that holds only
 *   wsink's meters, and the scrape says so in a comment line;</li>
 *   <li>{@code metrics.enabled: false}: none; nothing is registered and {@code /metrics} answers 404.</li>
 * </ul>
 */
public final class NodeMetrics {

  private static final Logger LOG = LoggerFactory.getLogger(NodeMetrics.class);

  /** Starts the scrape of a node whose Vert.x has no metrics of its own. */
  static final String WSINK_ONLY = "# wsink: this Vert.x instance was built without Micrometer metrics,"
    + " so only wsink's own meters follow (no vertx_* or jvm_* meters)\n";

  private static final NodeMetrics OFF = new NodeMetrics(null, false);

  private final PrometheusMeterRegistry registry;
  private final boolean vertxRegistry;

  private NodeMetrics(PrometheusMeterRegistry registry, boolean vertxRegistry) {
    this.registry = registry;
    this.vertxRegistry = vertxRegistry;
  }

  public static NodeMetrics of(Vertx vertx, MetricsSettings settings) {
    if (!settings.enabled()) {
      return OFF;
    }
    PrometheusMeterRegistry own = prometheusRegistryOf(vertx);
    if (own != null) {
      return new NodeMetrics(own, true);
    }
    LOG.info("this Vert.x instance has no Prometheus metrics: GET /metrics serves wsink's own meters only");
    return new NodeMetrics(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), false);
  }

  /**
   * The Prometheus registry that Vert.x's own metrics write to, or null. Vert.x has no public accessor for it; its
   * {@code MetricsService} reaches it the same way, through the {@link MicrometerMetrics} interface.
   */
  public static PrometheusMeterRegistry prometheusRegistryOf(Vertx vertx) {
    if (vertx instanceof MetricsProvider provider && provider.getMetrics() instanceof MicrometerMetrics metrics
      && metrics.registry() instanceof PrometheusMeterRegistry prometheus) {
      return prometheus;
    }
    return null;
  }

  public boolean enabled() {
    return registry != null;
  }

  /** Where wsink registers its meters; null when metrics are off. */
  public MeterRegistry registry() {
    return registry;
  }

  /** The Prometheus text exposition (format 0.0.4) of everything in the registry. Metrics must be on. */
  public String scrape() {
    String text = registry.scrape();
    return vertxRegistry ? text : WSINK_ONLY + text;
  }

  /** A registry of the node's own goes with the node; Vert.x's stays with Vert.x. */
  public void close() {
    if (registry != null && !vertxRegistry) {
      registry.close();
    }
  }
}
