package io.wsink.server;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.ServerWebSocketHandshake;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import io.wsink.Addresses;
import io.wsink.KeyedQueue;
import io.wsink.cluster.ClusterView;
import io.wsink.config.DataServerSettings;
import io.wsink.pipeline.FlushCoalescing;
import io.wsink.tls.ServerTls;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLException;
import java.net.BindException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * The shared data server (§4.2): owns the HTTP/WebSocket listener that serves every server-mode endpoint of this node.
 *
 * <p>The listener starts when the first endpoint is held and closes after the last one goes. Holders come and go
 * through requests on {@link Addresses#SERVER_CONTROL} (see {@link EventBusEndpointRegistry}); frames arrive on each
 * endpoint's own address, never through method calls from other verticles.
 */
public final class ServerVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(ServerVerticle.class);

  static final String HOLD = "hold";
  static final String RELEASE = "release";
  static final String LIST = "list";
  static final String STATS = "stats";

  /** How long a stop waits for rules to hand over their last frames and for clients to take them (§1). */
  static final long SHUTDOWN_GRACE_MS = 5_000;
  /** A port still in use is tried this many times, BIND_RETRY_MS apart, before the listen fails (about 1 s). */
  private static final int BIND_ATTEMPTS = 10;
  private static final long BIND_RETRY_MS = 100;

  private final DataServerSettings settings;
  private final boolean undeployWhenIdle;
  private final AccessPolicy access;
  private final ConnectionSlots slots;
  private final AccessCounters counters = new AccessCounters();
  private final Map<String, Endpoint> endpoints = new LinkedHashMap<>();
  // holds and releases of one path run in order: a release never overtakes the hold before it
  private final KeyedQueue perPath = new KeyedQueue();
  private HttpServer server;
  private Future<HttpServer> listening;
  private Future<Void> closing = Future.succeededFuture();
  private MessageConsumer<JsonObject> control;
  private boolean stopping;
  /** This node's id when it is part of a cluster (§7): frames then come from the sinks of every node. */
  private String nodeId;

  /**
   * @param undeployWhenIdle true for a data server started on demand by a standalone sink verticle (§9): it undeploys
   *                         itself with its last endpoint
   */
  public ServerVerticle(DataServerSettings settings, boolean undeployWhenIdle) {
    this.settings = settings;
    this.undeployWhenIdle = undeployWhenIdle;
    this.access = new AccessPolicy(settings);
    this.slots = new ConnectionSlots(settings.maxConnections());
  }

  @Override
  public Future<?> start() {
    ClusterView cluster = ClusterView.of(vertx);
    nodeId = cluster == null ? null : cluster.nodeId();
    control = vertx.eventBus().localConsumer(Addresses.SERVER_CONTROL, this::control);
    return control.completion();
  }

  private void control(Message<JsonObject> msg) {
    JsonObject body = msg.body();
    String path = body.getString("path");
    Future<JsonObject> result;
    try {
      result = switch (body.getString("op", "")) {
        case HOLD -> {
          EndpointHolder holder = EndpointHolder.fromJson(body.getJsonObject("holder"));
          yield perPath.run(path, () -> hold(path, holder)).map(v -> new JsonObject());
        }
        case RELEASE -> perPath.run(path, () -> release(path, body.getString("holder"))).map(v -> new JsonObject());
        case LIST -> Future.succeededFuture(list());
        case STATS -> Future.succeededFuture(stats(path, body.getString("holder")));
        default -> Future.failedFuture("unknown data server operation " + body.getString("op"));
      };
    } catch (RuntimeException e) {
      result = Future.failedFuture(e);
    }
    result.onComplete(ar -> {
      if (ar.succeeded()) {
        msg.reply(ar.result());
      } else {
        msg.fail(500, ar.cause().getMessage());
      }
    });
  }

  private Future<Void> hold(String path, EndpointHolder holder) {
    if (stopping) {
      return Future.failedFuture("the data server is shutting down");
    }
    return ensureListening().compose(s -> {
      Endpoint endpoint = endpoints.computeIfAbsent(path, p -> {
        LOG.info("websocket endpoint {} registered by {}", p, holder.id());
        return new Endpoint(vertx, p, counters, settings.maxFrameSize(), nodeId);
      });
      endpoint.hold(holder);
      return endpoint.ready();
    });
  }

  private Future<Void> release(String path, String holderId) {
    Endpoint endpoint = endpoints.get(path);
    if (endpoint == null || !endpoint.release(holderId) || stopping) {
      return Future.succeededFuture(); // when stopping, stop() drains and closes every endpoint
    }
    // gone at once for new upgrades (404); its clients first take what is queued for them (bounded), then get 1001
    endpoints.remove(path);
    LOG.info("websocket endpoint {} removed (last holder {} left)", path, holderId);
    Future<Void> removed = endpoint.stopConsuming()
      .compose(v -> awaitCondition(endpoint::flushed, System.currentTimeMillis() + SHUTDOWN_GRACE_MS))
      .compose(v -> endpoint.closeClients("endpoint " + path + " was removed"));
    if (!endpoints.isEmpty()) {
      return removed;
    }
    return removed.compose(v -> endpoints.isEmpty() ? closeListener() : Future.succeededFuture()).compose(v -> {
      if (!undeployWhenIdle || !endpoints.isEmpty() || server != null) {
        return Future.succeededFuture();
      }
      // stop answering before the last holder hears back, so that a sink starting right after starts a new server
      return control.unregister().andThen(x -> vertx.undeploy(deploymentID()));
    });
  }

  /** The endpoints, and in {@code access} the connection count and the refusal counters (see {@link AccessCounters}). */
  private JsonObject list() {
    JsonArray all = new JsonArray();
    endpoints.values().forEach(e -> all.add(e.info().toJson()));
    return new JsonObject().put("running", server != null).put("endpoints", all).put("access", counters.toJson(slots));
  }

  private JsonObject stats(String path, String holderId) {
    Endpoint endpoint = endpoints.get(path);
    HolderStats s = endpoint == null ? new HolderStats(0, 0, 0) : endpoint.stats(holderId);
    return new JsonObject().put("clients", s.clients()).put("dropped", s.dropped()).put("disconnected", s.disconnected());
  }

  private Future<HttpServer> ensureListening() {
    if (listening != null) {
      return listening;
    }
    HttpServerOptions options = new HttpServerOptions()
      .setHost(settings.httpServerIp())
      .setPort(settings.httpServerPort())
      .setMaxWebSocketFrameSize(settings.maxFrameSize())
      .setMaxWebSocketMessageSize(settings.maxMessageSize())
      // a peer that never answers our Close must not hold a stop for the default 10 s
      .setWebSocketClosingTimeout(2);
    if (settings.tls() != null) {
      ServerTls.applyTo(options, settings.tls());
    }
    String where = settings.httpServerIp() + ":" + settings.httpServerPort();
    listening = closing.compose(v -> listen(options, BIND_ATTEMPTS))
      .onSuccess(s -> {
        server = s;
        LOG.info("data server listening on {}://{}:{}", settings.tls() != null ? "wss" : "ws", settings.httpServerIp(),
          s.actualPort());
      })
      .recover(err -> {
        listening = null;
        return Future.failedFuture("the data server cannot listen on " + where + ": " + err.getMessage());
      });
    return listening;
  }

  /**
   * Listens, trying again a few times, {@link #BIND_RETRY_MS} apart, while the port is still in use: right after our
   * own listener closed (the last endpoint left, a node restarts) the network stack may hold the port a moment longer.
   */
  private Future<HttpServer> listen(HttpServerOptions options, int attempts) {
    // upgrades go to the handshake handler, which can still answer with a plain HTTP status; the rest to handlePlain
    HttpServer created = vertx.createHttpServer(options)
      .webSocketHandshakeHandler(this::handleUpgrade)
      .requestHandler(this::handlePlain)
      .exceptionHandler(this::connectionFailed);
    // a failed server is closed too: Vert.x shares servers by host:port and would hand the next listen its failure
    return created.listen().recover(err -> created.close().transform(x -> {
      if (attempts <= 1 || !portInUse(err)) {
        return Future.failedFuture(err);
      }
      Promise<HttpServer> retried = Promise.promise();
      vertx.setTimer(BIND_RETRY_MS, id -> listen(options, attempts - 1).onComplete(retried));
      return retried.future();
    }));
  }

  private static boolean portInUse(Throwable err) {
    return err instanceof BindException || String.valueOf(err.getMessage()).contains("Address already in use");
  }

  private Future<Void> closeListener() {
    HttpServer s = server;
    server = null;
    listening = null;
    if (s == null) {
      return Future.succeededFuture();
    }
    LOG.info("data server closed: no endpoint left");
    closing = s.close();
    return closing;
  }

  /**
   * A WebSocket upgrade: admitted only past the origin and token checks, to an existing endpoint, within
   * {@code maxConnections}; otherwise refused with the plain HTTP status of the first check that fails.
   */
  private void handleUpgrade(ServerWebSocketHandshake handshake) {
    Endpoint endpoint = stopping ? null : endpoints.get(handshake.path());
    Refusal refusal = access.check(handshake.headers(), handshake.query());
    if (refusal == null && endpoint == null) {
      refusal = Refusal.NO_ENDPOINT;
    }
    if (refusal != null) {
      reject(handshake, refusal);
      return;
    }
    ConnectionSlots.Slot slot = slots.tryAcquire();
    if (slot == null) {
      reject(handshake, Refusal.MAX_CONNECTIONS);
      return;
    }
    handshake.accept().onComplete(ar -> {
      if (ar.succeeded()) {
        ReservedBitsCheck.install(ar.result()); // Vert.x lets reserved bits through (see there)
        FlushCoalescing.install(ar.result()); // one write syscall per loop turn, not one per message
        endpoint.attach(ar.result(), slot::release);
      } else {
        slot.release();
        LOG.debug("websocket upgrade on {} failed: {}", handshake.path(), ar.cause().getMessage());
      }
    });
  }

  private void reject(ServerWebSocketHandshake handshake, Refusal refusal) {
    refused(refusal, handshake.path(), handshake.remoteAddress());
    handshake.reject(refusal.status());
  }

  /** A plain HTTP request: the data server serves WebSockets only, so every one is refused (§4.2), and counted. */
  private void handlePlain(HttpServerRequest req) {
    Refusal refusal = access.check(req.headers(), req.query());
    if (refusal == null) {
      refusal = stopping || !endpoints.containsKey(req.path()) ? Refusal.NO_ENDPOINT : Refusal.NOT_WEBSOCKET;
    }
    refused(refusal, req.path(), req.remoteAddress());
    HttpServerResponse response = req.response().setStatusCode(refusal.status());
    switch (refusal) {
      case NO_ENDPOINT -> response.end("no websocket endpoint " + req.path() + "\n");
      case NOT_WEBSOCKET -> response.end("websocket endpoint " + req.path() + " accepts WebSocket upgrades only\n");
      case TOKEN -> response.putHeader("WWW-Authenticate", "Bearer").end();
      default -> response.end();
    }
  }

  /** Counts and logs a refusal: path and peer only, never the query or a header (they may carry a token). */
  private void refused(Refusal refusal, String path, SocketAddress peer) {
    counters.refused(refusal);
    LOG.debug("request for {} from {} refused with {} ({})", path, peer, refusal.status(), refusal.key());
  }

  /** Errors of connections that never reached a handler, such as failed TLS handshakes (counted: a refusal too). */
  private void connectionFailed(Throwable err) {
    if (isTlsFailure(err)) {
      counters.tlsHandshakeFailed();
      LOG.debug("TLS handshake with a client failed: {}", err.getMessage());
    } else {
      LOG.debug("data server connection failed: {}", err.toString());
    }
  }

  private static boolean isTlsFailure(Throwable err) {
    for (Throwable t = err; t != null; t = t.getCause()) {
      if (t instanceof SSLException) {
        return true;
      }
    }
    return false;
  }

  /**
   * Node shutdown (§1): wait for the rules to hand over their last frames, let every client take its queue, then close
   * every socket with 1001 — within {@link #SHUTDOWN_GRACE_MS} in all.
   */
  @Override
  public Future<?> stop() {
    stopping = true;
    long deadline = System.currentTimeMillis() + SHUTDOWN_GRACE_MS;
    List<Endpoint> all = new ArrayList<>(endpoints.values());
    return awaitCondition(() -> all.stream().noneMatch(Endpoint::hasRuleHolders), deadline)
      .compose(v -> awaitCondition(() -> all.stream().allMatch(Endpoint::flushed), deadline))
      .compose(v -> Future.join(all.stream()
        .map(e -> e.stopConsuming().transform(x -> e.closeClients("server shutting down"))).toList()))
      .transform(ar -> {
        endpoints.clear();
        return server == null ? Future.succeededFuture() : server.close();
      });
  }

  private Future<Void> awaitCondition(BooleanSupplier condition, long deadline) {
    Promise<Void> done = Promise.promise();
    if (condition.getAsBoolean()) {
      done.complete();
      return done.future();
    }
    vertx.setPeriodic(10, id -> {
      if (condition.getAsBoolean() || System.currentTimeMillis() >= deadline) {
        vertx.cancelTimer(id);
        done.tryComplete();
      }
    });
    return done.future();
  }
}
