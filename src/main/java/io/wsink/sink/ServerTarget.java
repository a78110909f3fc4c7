package io.wsink.sink;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import io.vertx.core.eventbus.Message;
import io.wsink.Addresses;
import io.wsink.cluster.ClusterView;
import io.wsink.pipeline.Frame;
import io.wsink.server.EndpointHolder;
import io.wsink.server.EndpointRegistry;
import io.wsink.server.LocalEndpoint;

import java.util.ArrayList;
import java.util.List;

/**
 * Server mode (§4.2): holds the endpoint while the action runs and publishes each frame once on the endpoint's address;
 * the data server writes it to every connected client through that client's bounded queue.
 *
 * <p>In a cluster (§7) each frame goes once to each node's data server, every one of which serves the endpoint, and an
 * acknowledgement counts the clients of all of them. (A publish reaches every node too, but brings no answers back; the
 * event bus still keeps each node's frames in order, and the frame is encoded once per node either way.)
 *
 * <p>The local path: when the data server is in this Vert.x instance and not clustered, the sink can run on the data
 * server's event loop ({@link #workContext}); there a frame is handed to the endpoint by a method call
 * ({@link LocalEndpoint}), with the same answer as the request to its address.
 */
final class ServerTarget implements SinkTarget {

  private final Vertx vertx;
  /**
   * In a cluster, how long an acknowledged frame waits for one node's answer before that node is left out of the count:
   * a node that crashed is only seen gone after Hazelcast's 10 s, and the event bus's default (30 s) is the whole time a
   * publish waits for its acknowledgement (§6.4), which would then fail instead of counting the other nodes' clients.
   */
  static final long NODE_ACK_TIMEOUT_MS = 10_000;

  private final EventBus eventBus;
  private final EndpointRegistry registry;
  private final String path;
  private final EndpointHolder holder;
  private final String address;
  private final SinkMetrics metrics;
  private final DeliveryOptions frameOptions;
  /** {@link #frameOptions} for a request to one node of a cluster: bounded by {@link #NODE_ACK_TIMEOUT_MS}. */
  private final DeliveryOptions nodeRequestOptions;
  /** This node's view of the cluster, or null when not clustered. */
  private final ClusterView cluster;
  /** The nodes frames last went to, and their endpoint addresses (rebuilt when membership changes). */
  private List<String> nodes = List.of();
  private String[] nodeAddresses = new String[0];
  /** The endpoint in this Vert.x instance, found once it is held; null when there is none or in a cluster. */
  private LocalEndpoint local;

  ServerTarget(Vertx vertx, EndpointRegistry registry, WebSocketActionProps props, String holderId, SinkMetrics metrics) {
    this.vertx = vertx;
    this.eventBus = vertx.eventBus();
    this.registry = registry;
    this.path = props.path();
    this.holder = new EndpointHolder(holderId, props.pingInterval(), props.overflow(), props.clientQueueBytes());
    this.address = Addresses.endpointFrames(path);
    this.metrics = metrics;
    this.frameOptions = new DeliveryOptions().addHeader(Addresses.HOLDER_HEADER, holderId);
    this.nodeRequestOptions = new DeliveryOptions(frameOptions).setSendTimeout(NODE_ACK_TIMEOUT_MS);
    this.cluster = ClusterView.of(vertx);
  }

  @Override
  public Future<Void> start() {
    return registry.hold(path, holder).andThen(ar -> {
      if (ar.succeeded() && cluster == null) {
        local = LocalEndpoint.find(vertx, path);
      }
    });
  }

  /** The data server's event loop when the endpoint is local: running there, a frame needs no event-bus round trip. */
  @Override
  public Context workContext(Context own) {
    return local != null ? local.context() : own;
  }

  @Override
  public void send(Frame frame, Promise<Integer> ack, long receivedNanos) {
    if (cluster != null) {
      sendToEveryNode(frame, ack, receivedNanos);
      return;
    }
    if (local != null && local.open()) {
      int delivered = local.deliver(frame, holder.id());
      metrics.sent(receivedNanos);
      if (ack != null) {
        if (local.mustHoldAck(holder.id())) {
          local.whenRoom(() -> ack.tryComplete(delivered));
        } else {
          ack.tryComplete(delivered);
        }
      }
      return;
    }
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

  private void sendToEveryNode(Frame frame, Promise<Integer> ack, long receivedNanos) {
    String[] addresses = nodeAddresses();
    if (ack == null) {
      for (String node : addresses) {
        eventBus.send(node, frame.payload(), frameOptions);
      }
      metrics.sent(receivedNanos);
      return;
    }
    List<Future<Message<Integer>>> replies = new ArrayList<>(addresses.length);
    for (String node : addresses) {
      replies.add(eventBus.request(node, frame.payload(), nodeRequestOptions));
    }
    Future.join(replies).onComplete(ar -> {
      int delivered = 0;
      int answered = 0;
      String failure = null;
      for (Future<Message<Integer>> reply : replies) {
        if (reply.succeeded()) {
          delivered += reply.result().body();
          answered++;
        } else if (reply.cause() instanceof ReplyException re && re.failureType() == ReplyFailure.NO_HANDLERS) {
          answered++; // a node that does not serve the endpoint (yet, or any more) has no clients of it
        } else {
          failure = reply.cause().getMessage();
        }
      }
      if (answered > 0) {
        metrics.sent(receivedNanos);
        ack.tryComplete(delivered); // the clients of the nodes that answered: a node lost meanwhile had its own
      } else {
        metrics.exception("endpoint " + path + ": " + failure);
        ack.tryFail(new ReplyException(ReplyFailure.RECIPIENT_FAILURE, AckFailure.NOT_DELIVERED,
          "not handed to any node's data server: " + failure));
      }
    });
  }

  private String[] nodeAddresses() {
    List<String> now = cluster.nodes();
    if (now != nodes) {
      nodes = now;
      nodeAddresses = now.stream().map(node -> Addresses.nodeEndpointFrames(node, path)).toArray(String[]::new);
    }
    return nodeAddresses;
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
