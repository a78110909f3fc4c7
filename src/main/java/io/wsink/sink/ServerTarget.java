package io.wsink.sink;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import io.wsink.Addresses;
import io.wsink.pipeline.Frame;
import io.wsink.server.EndpointHolder;
import io.wsink.server.EndpointRegistry;

/**
 * Server mode (§4.2): holds the endpoint while the action runs and publishes each frame once on the endpoint's address;
 * the data server writes it to every connected client through that client's bounded queue.
 */
final class ServerTarget implements SinkTarget {

  private final EventBus eventBus;
  private final EndpointRegistry registry;
  private final String path;
  private final EndpointHolder holder;
  private final String address;
  private final SinkMetrics metrics;
  private final DeliveryOptions frameOptions;

  ServerTarget(Vertx vertx, EndpointRegistry registry, WebSocketActionProps props, String holderId, SinkMetrics metrics) {
    this.eventBus = vertx.eventBus();
    this.registry = registry;
    this.path = props.path();
    this.holder = new EndpointHolder(holderId, props.pingInterval(), props.overflow(), props.clientQueueBytes());
    this.address = Addresses.endpointFrames(path);
    this.metrics = metrics;
    this.frameOptions = new DeliveryOptions().addHeader(Addresses.HOLDER_HEADER, holderId);
  }

  @Override
  public Future<Void> start() {
    return registry.hold(path, holder);
  }

  @Override
  public void send(Frame frame, Promise<Integer> ack, long receivedNanos) {
    if (ack == null) {
      eventBus.publish(address, frame.payload(), frameOptions);
      metrics.sent(receivedNanos);
      return;
    }
    eventBus.<Integer>request(address, frame.payload(), frameOptions).onComplete(ar -> {
      if (ar.succeeded()) {
        metrics.sent(receivedNanos);
        ack.tryComplete(ar.result().body());
      } else {
        metrics.exception("endpoint " + path + ": " + ar.cause().getMessage());
        ack.tryFail(new ReplyException(ReplyFailure.RECIPIENT_FAILURE, AckFailure.NOT_DELIVERED,
          "not handed to the data server: " + ar.cause().getMessage()));
      }
    });
  }

  @Override
  public int bufferLength() {
    return 0; // frames go straight to the data server, whose per-client queues are bounded by clientQueueBytes
  }

  @Override
  public Future<Void> addStatus(JsonObject status) {
    return registry.stats(path, holder.id()).map(s -> {
      status.put(SinkMetrics.CLIENTS, s.clients())
        .put(SinkMetrics.RECORDS_DROPPED, status.getLong(SinkMetrics.RECORDS_DROPPED) + s.dropped())
        .put(SinkMetrics.CLIENTS_DISCONNECTED, s.disconnected());
      return null;
    });
  }

  @Override
  public Future<Void> stop(short closeCode) {
    return registry.release(path, holder.id());
  }
}
