package io.wsink.server;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.wsink.Addresses;
import io.wsink.KeyedQueue;
import io.wsink.config.DataServerSettings;
import io.wsink.tls.ServerTls;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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

  private final DataServerSettings settings;
  private final boolean undeployWhenIdle;
  private final Map<String, Endpoint> endpoints = new LinkedHashMap<>();
  // holds and releases of one path run in order: a release never overtakes the hold before it
  private final KeyedQueue perPath = new KeyedQueue();
  private HttpServer server;
  private Future<HttpServer> listening;
  private Future<Void> closing = Future.succeededFuture();
  private MessageConsumer<JsonObject> control;
  private boolean stopping;

  /**
   * @param undeployWhenIdle true for a data server started on demand by a standalone sink verticle (§9): it undeploys
   *                         itself with its last endpoint
   */
  public ServerVerticle(DataServerSettings settings, boolean undeployWhenIdle) {
    this.settings = settings;
    this.undeployWhenIdle = undeployWhenIdle;
  }

  @Override
  public Future<?> start() {
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
        return new Endpoint(vertx, p);
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

  private JsonObject list() {
    JsonArray all = new JsonArray();
    endpoints.values().forEach(e -> all.add(e.info().toJson()));
    return new JsonObject().put("running", server != null).put("endpoints", all);
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
      // a peer that never answers our Close must not hold a stop for the default 10 s
      .setWebSocketClosingTimeout(2);
    if (settings.tls() != null) {
      ServerTls.applyTo(options, settings.tls().certfile(), settings.tls().keyfile());
    }
    HttpServer created = vertx.createHttpServer(options).requestHandler(this::handle);
    String where = settings.httpServerIp() + ":" + settings.httpServerPort();
    listening = closing.compose(v -> created.listen())
      .onSuccess(s -> {
        server = s;
        LOG.info("data server listening on {}://{}:{}", settings.tls() != null ? "wss" : "ws", settings.httpServerIp(),
          s.actualPort());
      })
      .recover(err -> {
        listening = null;
        // close the failed server too: Vert.x shares servers by host:port and would hand the next listen its failure
        return created.close().transform(x ->
          Future.failedFuture("the data server cannot listen on " + where + ": " + err.getMessage()));
      });
    return listening;
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

  private void handle(HttpServerRequest req) {
    Endpoint endpoint = stopping ? null : endpoints.get(req.path());
    if (endpoint == null) {
      req.response().setStatusCode(404).end("no websocket endpoint " + req.path() + "\n");
    } else if (!req.canUpgradeToWebSocket()) {
      req.response().setStatusCode(400).end("websocket endpoint " + req.path() + " accepts WebSocket upgrades only\n");
    } else {
      req.toWebSocket().onSuccess(endpoint::attach)
        .onFailure(err -> LOG.debug("websocket upgrade on {} failed: {}", req.path(), err.getMessage()));
    }
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
