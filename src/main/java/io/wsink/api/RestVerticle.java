package io.wsink.api;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.wsink.BearerTokens;
import io.wsink.config.RestSettings;
import io.wsink.config.SinkDefaults;
import io.wsink.rule.RuleException;
import io.wsink.rule.RuleManager;
import io.wsink.rule.RuleNotFoundException;
import io.wsink.rule.RuleRegistry;
import io.wsink.server.EndpointRegistry;
import io.wsink.sink.PropertyException;
import io.wsink.store.Store;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import io.vertx.core.json.JsonObject;

/**
 * The management REST API (§6) and the rule manager behind it. Both run on this verticle's event loop; the sink
 * verticles of running rules are deployed from here. On start it restores the stored endpoint registrations and
 * rules, then listens.
 */
public final class RestVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(RestVerticle.class);

  /** §8: REST bodies are limited to 1 MiB. */
  static final long BODY_LIMIT = 1024 * 1024;

  private final RestSettings settings;
  private final BearerTokens tokens;
  private final SinkDefaults sinkDefaults;
  private final Map<String, JsonObject> resources;
  private final RuleRegistry rules;
  private final EndpointRegistry endpoints;
  private final Store store;
  private HttpServer server;
  private RuleManager manager;

  public RestVerticle(RestSettings settings, SinkDefaults sinkDefaults, Map<String, JsonObject> resources,
                      RuleRegistry rules, EndpointRegistry endpoints, Store store) {
    this.settings = settings;
    this.tokens = BearerTokens.of(settings.tokens());
    this.resources = resources;
    this.sinkDefaults = sinkDefaults;
    this.rules = rules;
    this.endpoints = endpoints;
    this.store = store;
  }

  @Override
  public Future<?> start() {
    manager = new RuleManager(vertx, rules, endpoints, sinkDefaults, store, resources);
    EndpointResource endpointResource = new EndpointResource(endpoints, store);
    Router router = Router.router(vertx);
    router.route().handler(this::authorize);
    router.route().handler(BodyHandler.create(false).setBodyLimit(BODY_LIMIT));
    router.get("/ping").handler(ctx -> Responses.empty(ctx, 200));
    new RuleResource(manager).mount(router);
    endpointResource.mount(router);
    new ConnectivityResource(vertx, endpoints).mount(router);
    new PublishResource(vertx).mount(router);
    router.route().failureHandler(this::failure);
    router.errorHandler(404, ctx -> Responses.error(ctx, 404, ApiErrors.NOT_FOUND,
      ApiErrors.noRoute(ctx.request().method().name(), ctx.request().path())));
    router.errorHandler(405, ctx -> Responses.error(ctx, 405, ApiErrors.GENERIC,
      ApiErrors.methodNotAllowed(ctx.request().method().name(), ctx.request().path())));

    return endpointResource.recover()
      .compose(v -> manager.recover())
      .compose(v -> vertx.createHttpServer(new HttpServerOptions().setHost(settings.ip()).setPort(settings.port()))
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
    Future<Void> closed = server == null ? Future.succeededFuture() : server.close();
    return closed.transform(ar -> manager.shutdown());
  }

  /** {@code rest.tokens}: every call but /ping needs one of them as a bearer token. */
  private void authorize(RoutingContext ctx) {
    if (tokens.isEmpty() || ctx.request().path().equals("/ping")) {
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

  /** The one place where failures become the error envelope {@code {"error": code, "message": text}}. */
  private void failure(RoutingContext ctx) {
    Throwable err = ctx.failure();
    if (err instanceof ApiException api) {
      Responses.error(ctx, api.status(), api.code(), api.getMessage());
    } else if (err instanceof RuleNotFoundException) {
      Responses.error(ctx, 404, ApiErrors.NOT_FOUND, err.getMessage());
    } else if (err instanceof RuleException || err instanceof PropertyException) {
      Responses.error(ctx, 400, ApiErrors.RULE, err.getMessage());
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
