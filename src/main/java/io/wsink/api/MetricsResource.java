package io.wsink.api;

import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.wsink.ops.EndpointMeters;
import io.wsink.ops.NodeMetrics;
import io.wsink.rule.RuleManager;

/**
 * {@code GET /metrics} (§6.5): the Prometheus text exposition of the node. What lives on other event loops — every
 * sink's status, the data server's endpoints — is brought into the meters first, asynchronously; then the registry is
 * scraped.
 */
final class MetricsResource {

  /** The text exposition format that {@code PrometheusMeterRegistry.scrape()} writes. */
  static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private final NodeMetrics metrics;
  private final RuleManager manager;
  private final EndpointMeters endpointMeters;

  MetricsResource(NodeMetrics metrics, RuleManager manager, EndpointMeters endpointMeters) {
    this.metrics = metrics;
    this.manager = manager;
    this.endpointMeters = endpointMeters;
  }

  void mount(Router router) {
    router.get("/metrics").handler(this::scrape);
  }

  private void scrape(RoutingContext ctx) {
    if (!metrics.enabled()) {
      Responses.error(ctx, 404, ApiErrors.NOT_FOUND, ApiErrors.METRICS_OFF);
      return;
    }
    Future.join(manager.refreshMeters(), endpointMeters.refresh()).onComplete(ar ->
      ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, CONTENT_TYPE).end(metrics.scrape()));
  }
}
