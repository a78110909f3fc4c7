package io.wsink.api;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.wsink.server.EndpointRegistry;
import io.wsink.sink.ConnectionCheck;
import io.wsink.sink.WebSocketActionProps;

/** §6.3: {@code POST /metadata/sinks/connection/websocket} — can these action properties reach somebody now? */
final class ConnectivityResource {

  private final Vertx vertx;
  private final EndpointRegistry endpoints;

  ConnectivityResource(Vertx vertx, EndpointRegistry endpoints) {
    this.vertx = vertx;
    this.endpoints = endpoints;
  }

  void mount(Router router) {
    router.post("/metadata/sinks/connection/:type").handler(this::check);
  }

  private void check(RoutingContext ctx) {
    String type = ctx.pathParam("type");
    if (!type.equals("websocket")) {
      throw ApiException.badRequest(ApiErrors.GENERIC, ApiErrors.sinkNotProvided(type));
    }
    JsonObject properties = Responses.jsonObject(ctx, true);
    // parsed off the event loop: validating TLS properties looks at certificate files
    Future<Void> checked = vertx.executeBlocking(() -> WebSocketActionProps.parse(properties), false)
      .compose(props -> ConnectionCheck.check(vertx, endpoints, props));
    Responses.reply(ctx, checked.recover(err -> Future.failedFuture(ApiException.badRequest(ApiErrors.GENERIC,
      err.getMessage()))), v -> Responses.empty(ctx, 200));
  }
}
