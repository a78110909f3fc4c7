package io.wsink.api;

import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.wsink.BearerTokens;
import io.wsink.cluster.ClusterNode;
import io.wsink.cluster.Membership;
import io.wsink.config.RestSettings;
import io.wsink.config.SinkDefaults;
import io.wsink.ops.EndpointMeters;
import io.wsink.ops.NodeMetrics;
import io.wsink.rule.RuleException;
import io.wsink.rule.RuleManager;
import io.wsink.rule.RuleNotFoundException;
import io.wsink.server.EndpointRegistry;
import io.wsink.sink.PropertyException;
import io.wsink.store.Store;
import io.wsink.store.StoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.Set;

/**
 * The management REST API (§6) and the rule manager behind it. Both run on this verticle's event loop; the sink
 * verticles of running rules are deployed from here. On start it restores the stored endpoint registrations and
 * rules, then listens.
 */
public final class RestVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(RestVerticle.class);

  /** §8: REST bodies are limited to 1 MiB. */
  static final long BODY_LIMIT = 1024 * 1024;
  /** What needs no token even when {@code rest.tokens} is set: probes (§6.5) carry none. */
  private static final Set<String> OPEN_PATHS = Set.of("/ping", "/health/live", "/health/ready");

  private final RestSettings settings;
  private final BearerTokens tokens;
  private final SinkDefaults sinkDefaults;
  private final Map<String, JsonObject> resources;
  private final Membership membership;
  private final EndpointRegistry endpoints;
  private final Store store;
  private final NodeMetrics metrics;
  private HttpServer server;
  private RuleManager manager;
  private EndpointMeters endpointMeters;

  public RestVerticle(RestSettings settings, SinkDefaults sinkDefaults, Map<String, JsonObject> resources,
                      Membership membership, EndpointRegistry endpoints, Store store, NodeMetrics metrics) {
    this.settings = settings;
    this.tokens = BearerTokens.of(settings.tokens());
    this.resources = resources;
    this.sinkDefaults = sinkDefaults;
    this.membership = membership;
    this.endpoints = endpoints;
    this.store = store;
    this.metrics = metrics;
  }

  @Override
  public Future<?> start() {
    manager = new RuleManager(vertx, membership.rules(), membership.ownership(), endpoints, sinkDefaults, store,
      resources, metrics.registry());
    endpointMeters = metrics.enabled() ? new EndpointMeters(metrics.registry(), endpoints) : null;
    EndpointResource endpointResource = new EndpointResource(endpoints, membership.registrations());
    Router router = Router.router(vertx);
    router.route().handler(this::authorize);
    router.route().handler(BodyHandler.create(false).setBodyLimit(BODY_LIMIT));
    router.get("/ping").handler(ctx -> Responses.empty(ctx, 200));
    new HealthResource(vertx, store, endpoints, manager, membership.cluster(),
      () -> server == null ? -1 : server.actualPort()).mount(router);
    new MetricsResource(metrics, manager, endpointMeters).mount(router);
    new RuleResource(manager).mount(router);
    endpointResource.mount(router);
    new ConnectivityResource(vertx, endpoints).mount(router);
    new PublishResource(vertx).mount(router);
    router.route().failureHandler(this::failure);
    router.errorHandler(404, ctx -> Responses.error(ctx, 404, ApiErrors.NOT_FOUND,
      ApiErrors.noRoute(ctx.request().method().name(), ctx.request().path())));
    router.errorHandler(405, ctx -> Responses.error(ctx, 405, ApiErrors.GENERIC,
      ApiErrors.methodNotAllowed(ctx.request().method().name(), ctx.request().path())));

    ClusterNode cluster = membership.cluster();
    return endpointResource.recover()
      .compose(v -> manager.recover())
      .compose(v -> cluster == null ? Future.succeededFuture() : cluster.start(manager))
      .compose(v -> vertx.createHttpServer(new HttpServerOptions().setHost(settings.ip()).setPort(settings.port()))
        .invalidRequestHandler(RestVerticle::invalidRequest)
        .requestHandler(router).listen()
        .recover(err -> Future.failedFuture("the REST API cannot listen on " + settings.ip() + ":" + settings.port()
          + ": " + err.getMessage())))
      .onSuccess(s -> {
        server = s;
        LOG.info("REST API listening on http://{}:{}", settings.ip(), s.actualPort());
      })
      .recover(err -> manager.shutdown().transform(x -> Future.failedFuture(err)));
  }

  /** Node shutdown (§1): no new API calls, then every rule stops (flushing what it holds), its stored state unchanged. */
  @Override
  public Future<?> stop() {
    HttpServer listening = server;
    server = null;
    Future<Void> closed = listening == null ? Future.succeededFuture() : listening.close();
    // a clustered node stops following the cluster first, so that nothing restarts a rule while they stop
    ClusterNode cluster = membership.cluster();
    if (cluster != null) {
      closed = closed.transform(ar -> cluster.stop());
    }
    return closed.transform(ar -> manager.shutdown()).andThen(ar -> {
      if (endpointMeters != null) {
        endpointMeters.remove();
      }
    });
  }

  /** {@code rest.tokens}: every call but /ping and the health probes needs one of them as a bearer token. */
  private void authorize(RoutingContext ctx) {
    // the normalized path is the one the router matches: /x/../rules must not pass as open
    if (tokens.isEmpty() || OPEN_PATHS.contains(ctx.normalizedPath())) {
      ctx.next();
      return;
    }
    if (tokens.accepts(BearerTokens.fromAuthorization(ctx.request().getHeader("Authorization")))) {
      ctx.next();
    } else {
      ctx.response().putHeader("WWW-Authenticate", "Bearer");
      Responses.error(ctx, 401, ApiErrors.GENERIC, ApiErrors.UNAUTHORIZED);
    }
  }

  /**
   * A request the HTTP decoder could not read (a request line or headers over Netty's limits, a malformed request line)
   * gets the error envelope too; the server closes the connection after it, as it does by default.
   */
  private static void invalidRequest(HttpServerRequest request) {
    Throwable cause = request.decoderResult().cause();
    if (cause instanceof TooLongHttpLineException) {
      Responses.error(request.response(), 414, ApiErrors.GENERIC, ApiErrors.REQUEST_LINE_TOO_LONG);
    } else if (cause instanceof TooLongHttpHeaderException) {
      Responses.error(request.response(), 431, ApiErrors.GENERIC, ApiErrors.HEADERS_TOO_LARGE);
    } else {
      Responses.error(request.response(), 400, ApiErrors.GENERIC, ApiErrors.MALFORMED_REQUEST);
    }
  }

  /** The one place where failures become the error envelope {@code {"error": code, "message": text}}. */
  private void failure(RoutingContext ctx) {
    Throwable err = ctx.failure();
    if (err instanceof ApiException api) {
      Responses.error(ctx, api.status(), api.code(), api.getMessage());
    } else if (err instanceof RuleNotFoundException) {
      Responses.error(ctx, 404, ApiErrors.NOT_FOUND, err.getMessage());
    } else if (err instanceof RuleException || err instanceof PropertyException) {
      Responses.error(ctx, 400, ApiErrors.RULE, err.getMessage());
    } else if (err instanceof StoreException) {
      // the store cannot be written (disk full, read-only): worth a retry later; the store logs it once per burst
      Responses.error(ctx, 503, ApiErrors.GENERIC, err.getMessage());
    } else if (ctx.statusCode() == 413) {
      Responses.error(ctx, 413, ApiErrors.GENERIC, ApiErrors.bodyTooLarge(BODY_LIMIT));
    } else if (err == null && ctx.statusCode() >= 400 && ctx.statusCode() < 500) {
      Responses.error(ctx, ctx.statusCode(), ApiErrors.GENERIC, ApiErrors.BAD_REQUEST);
    } else {
      LOG.error("{} {} failed", ctx.request().method(), ctx.request().path(), err);
      Responses.error(ctx, 500, ApiErrors.GENERIC, err == null ? ApiErrors.INTERNAL : String.valueOf(err.getMessage()));
    }
  }

}
