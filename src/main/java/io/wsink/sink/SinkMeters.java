package io.wsink.sink;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The Prometheus meters of one running sink instance (§6.5), labelled {@code rule}, {@code action}, {@code instance}
 * and {@code endpoint} (server mode) or {@code url} (client mode, query values masked). Every meter carries both of the
 * last two, the one that does not apply empty: Prometheus wants one set of label names per metric name.
 *
 * <p>Counts and gauges show the sink's status (§6.1) as of its last {@link #show}: the sink takes that snapshot on its
 * own event loop when {@code GET /metrics} asks, right before the scrape. So the scrape says exactly what
 * {@code GET /rules/{id}/status} says, and the hot path counts once, in {@link SinkMetrics}. Only the send latency is
 * recorded as it happens, into a timer with a fixed set of buckets and no client-side percentiles.
 *
 * <p>{@link #remove} takes every meter out of the registry when the sink stops: a stopped or dropped rule leaves no
 * series behind.
 */
final class SinkMeters {

  /** The buckets of {@code wsink_send_latency_seconds}: a fixed set, so the cost per message is fixed too. */
  static final Duration[] LATENCY_BUCKETS = {
    Duration.ofNanos(100_000), Duration.ofNanos(500_000), Duration.ofMillis(1), Duration.ofMillis(5),
    Duration.ofMillis(10), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(500), Duration.ofSeconds(1),
    Duration.ofSeconds(5)};

  private final MeterRegistry registry;
  private final Tags tags;
  private final List<Meter> meters = new ArrayList<>();
  private final Timer sendLatency;
  /** The last status snapshot: replaced whole on the sink's event loop, read by scrapes on another. */
  private volatile JsonObject status = new JsonObject();

  SinkMeters(MeterRegistry registry, String ruleId, int action, int instance, WebSocketActionProps props,
             boolean diskCache) {
    this.registry = registry;
    this.tags = Tags.of("rule", ruleId, "action", String.valueOf(action), "instance", String.valueOf(instance),
      "endpoint", props.clientMode() ? "" : props.path(), "url", props.clientMode() ? props.url() : "");
    counter("wsink.records.in", SinkMetrics.RECORDS_IN, "messages the action took from the event bus");
    counter("wsink.records.out", SinkMetrics.RECORDS_OUT,
      "frames written to the remote server (client mode) or handed to the endpoint's clients (server mode)");
    counter("wsink.records.dropped", SinkMetrics.RECORDS_DROPPED,
      "messages dropped: a full buffer, a rule stopping, a client's queue overflowing");
    counter("wsink.exceptions", SinkMetrics.EXCEPTIONS, "messages that failed: unsupported body, encoding error, ...");
    gauge("wsink.buffer.length", SinkMetrics.BUFFER_LENGTH, "messages waiting in the action (buffer and cache)");
    if (props.clientMode()) {
      gauge("wsink.connection.status", SinkMetrics.CONNECTION_STATUS,
        "the connection to the remote server: 1 connected, 0 connecting, -1 down");
      counter("wsink.reconnects", SinkMetrics.CONNECTION_RECONNECTS, "connections to the remote server lost and redialled");
      if (diskCache) {
        gauge("wsink.cache.disk.length", SinkMetrics.CACHE_DISK_LENGTH, "payloads waiting in the disk cache");
      }
    } else {
      counter("wsink.clients.disconnected", SinkMetrics.CLIENTS_DISCONNECTED,
        "clients closed because they fell behind (overflow: disconnect)");
    }
    sendLatency = Timer.builder("wsink.send.latency")
      .description("from taking a message off the event bus to writing (client mode) or handing over (server mode)")
      .tags(tags)
      .serviceLevelObjectives(LATENCY_BUCKETS)
      .register(registry);
    meters.add(sendLatency);
  }

  Timer sendLatency() {
    return sendLatency;
  }

  /** Shows {@code snapshot}, a status the sink built and no longer changes. */
  void show(JsonObject snapshot) {
    this.status = snapshot;
  }

  void remove() {
    meters.forEach(registry::remove);
    meters.clear();
  }

  private void counter(String name, String key, String description) {
    meters.add(FunctionCounter.builder(name, this, m -> m.value(key)).description(description).tags(tags)
      .register(registry));
  }

  private void gauge(String name, String key, String description) {
    meters.add(Gauge.builder(name, this, m -> m.value(key)).description(description).tags(tags).register(registry));
  }

  private double value(String key) {
    Object value = status.getValue(key);
    return value instanceof Number n ? n.doubleValue() : 0;
  }
}
