package io.wsink.api;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.wsink.KeyedQueue;
import io.wsink.server.EndpointHolder;
import io.wsink.server.EndpointPath;
import io.wsink.server.EndpointRegistrations;
import io.wsink.server.EndpointRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * §6.2: {@code /connection/websocket} — REST registrations of server-mode endpoints, which persist across restarts.
 * The endpoint comes as {@code {"endpoint":"/x"}} or {@code ?endpoint=/x}.
 */
final class EndpointResource {

  private static final Logger LOG = LoggerFactory.getLogger(EndpointResource.class);

  private final EndpointRegistry endpoints;
  private final EndpointRegistrations registrations;
  // a registration and a removal of one endpoint run in order, store and data server alike
  private final KeyedQueue perPath = new KeyedQueue();

  EndpointResource(EndpointRegistry endpoints, EndpointRegistrations registrations) {
    this.endpoints = endpoints;
    this.registrations = registrations;
  }

  /** Holds every stored registration again after a restart; one that cannot be held is logged and kept. */
  Future<Void> recover() {
    return registrations.load().compose(paths -> {
      Future<Void> all = Future.succeededFuture();
      for (String path : paths) {
        all = all.compose(v -> endpoints.hold(path, EndpointHolder.rest())
          .recover(err -> {
            LOG.error("could not restore the websocket endpoint {}: {}", path, err.getMessage());
            return Future.succeededFuture();
          }));
      }
      LOG.info("restored {} websocket endpoint registration(s)", paths.size());
      return all;
    });
  }

  void mount(Router router) {
    router.post("/connection/websocket").handler(this::register);
    router.get("/connection/websocket").handler(this::query);
    router.delete("/connection/websocket").handler(this::unregister);
  }

  private void register(RoutingContext ctx) {
    String path = endpoint(ctx, true);
    // hold first: a registration the data server cannot serve is not stored (and one not stored is not held)
    Responses.reply(ctx, perPath.run(path, () -> endpoints.hold(path, EndpointHolder.rest())
        .recover(err -> Future.failedFuture(new ApiException(500, ApiErrors.GENERIC, err.getMessage())))
        .compose(v -> registrations.save(path)
          .recover(err -> endpoints.release(path, EndpointHolder.REST).transform(x -> Future.failedFuture(err))))),
      v -> Responses.empty(ctx, 200));
  }

  private void query(RoutingContext ctx) {
    String path = endpoint(ctx, false);
    if (path == null) {
      Responses.reply(ctx, endpoints.list(), snapshot -> {
        JsonArray all = new JsonArray();
        snapshot.endpoints().forEach(e -> all.add(e.toJson()));
        Responses.json(ctx, 200, all);
      });
    } else {
      Responses.reply(ctx, endpoints.get(path), info -> Responses.text(ctx, 200, String.valueOf(info != null)));
    }
  }

  private void unregister(RoutingContext ctx) {
    String path = endpoint(ctx, true);
    Responses.reply(ctx, perPath.run(path,
        () -> registrations.delete(path).compose(v -> endpoints.release(path, EndpointHolder.REST))),
      v -> Responses.empty(ctx, 200));
  }

  /** The endpoint of the request: from the query, else from the JSON body. */
  private static String endpoint(RoutingContext ctx, boolean required) {
    String path = ctx.queryParam("endpoint").stream().findFirst().orElse(null);
    if (path == null) {
      JsonObject body = Responses.jsonObject(ctx, false);
      Object value = body == null ? null : body.getValue("endpoint");
      if (value != null && !(value instanceof String)) {
        throw ApiException.badRequest(ApiErrors.GENERIC, ApiErrors.invalidBody("endpoint must be a string"));
      }
      path = (String) value;
    }
    if (path == null || path.isEmpty()) {
      if (required) {
        throw ApiException.badRequest(ApiErrors.GENERIC, ApiErrors.ENDPOINT_MISSING);
      }
      return null;
    }
    String problem = EndpointPath.problem(path);
    if (problem != null) {
      throw ApiException.badRequest(ApiErrors.GENERIC, problem);
    }
    return path;
  }
}
