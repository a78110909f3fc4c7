package io.wsink.ops;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.vertx.core.Future;
import io.wsink.server.EndpointInfo;
import io.wsink.server.EndpointRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The gauges of the data server's endpoints (§6.5), labelled {@code endpoint}: connected clients, and the most bytes
 * ever queued for one client. The data server owns those figures on its own event loop, so they are asked for over the
 * event bus ({@link EndpointRegistry#list}) by {@link #refresh}, right before each scrape; an endpoint that has gone
 * loses its series then. Call it from one event loop only.
 */
public final class EndpointMeters {

  private static final Logger LOG = LoggerFactory.getLogger(EndpointMeters.class);

  /** What one endpoint's gauges show; written on the refreshing loop, read by whoever scrapes. */
  private static final class Shown {
    volatile long clients;
    volatile long maxQueuedBytes;
    final List<Meter> meters;

    Shown(MeterRegistry registry, String endpoint) {
      Tags tags = Tags.of("endpoint", endpoint);
      meters = List.of(
        Gauge.builder("wsink.endpoint.clients", this, s -> s.clients).tags(tags)
          .description("clients connected to the endpoint").register(registry),
        Gauge.builder("wsink.endpoint.queued.max", this, s -> s.maxQueuedBytes).tags(tags).baseUnit(BaseUnits.BYTES)
          .description("the most bytes ever waiting for one client of the endpoint (compare with clientQueueBytes)")
          .register(registry));
    }
  }

  private final MeterRegistry registry;
  private final EndpointRegistry endpoints;
  private final Map<String, Shown> shown = new HashMap<>();

  public EndpointMeters(MeterRegistry registry, EndpointRegistry endpoints) {
    this.registry = registry;
    this.endpoints = endpoints;
  }

  /** Brings the gauges up to date with the data server. Never fails: without an answer, no endpoint is shown. */
  public Future<Void> refresh() {
    return endpoints.list().map(snapshot -> {
      show(snapshot.endpoints());
      return (Void) null;
    }).recover(err -> {
      LOG.debug("the data server did not list its endpoints for the metrics: {}", err.getMessage());
      show(List.of());
      return Future.succeededFuture();
    });
  }

  /** Takes every gauge out of the registry (the node stops). */
  public void remove() {
    show(List.of());
  }

  private void show(List<EndpointInfo> current) {
    Set<String> paths = current.stream().map(EndpointInfo::endpoint).collect(Collectors.toSet());
    shown.entrySet().removeIf(e -> {
      if (paths.contains(e.getKey())) {
        return false;
      }
      e.getValue().meters.forEach(registry::remove);
      return true;
    });
    for (EndpointInfo info : current) {
      Shown s = shown.computeIfAbsent(info.endpoint(), path -> new Shown(registry, path));
      s.clients = info.clients();
      s.maxQueuedBytes = info.maxQueuedBytes();
    }
  }
}
