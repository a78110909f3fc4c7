package io.wsink.api;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.wsink.server.EndpointRegistry;
import io.wsink.sink.ConnectionCheck;
import io.wsink.sink.PropertyException;
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
      throw ApiException.badRequest(ApiErrors.GENERIC, "sink " + type + " is not provided by wsink; only websocket is");
    }
    WebSocketActionProps props;
    try {
      props = WebSocketActionProps.parse(Responses.jsonObject(ctx, true));
    } catch (PropertyException e) {
      throw ApiException.badRequest(ApiErrors.GENERIC, e.getMessage());
    }
    Responses.reply(ctx, ConnectionCheck.check(vertx, endpoints, props)
        .recover(err -> Future.failedFuture(ApiException.badRequest(ApiErrors.GENERIC, err.getMessage()))),
      v -> Responses.empty(ctx, 200));
  }
}
