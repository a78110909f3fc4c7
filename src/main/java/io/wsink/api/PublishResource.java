package io.wsink.api;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.wsink.Addresses;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * §6.4: {@code POST /publish/{address}} publishes the body on the event bus; {@code ?ack=true} makes it a request and
 * answers with the acknowledgement of the rule that consumed it.
 */
final class PublishResource {

  private static final long ACK_TIMEOUT_MS = 30_000;

  private final Vertx vertx;

  PublishResource(Vertx vertx) {
    this.vertx = vertx;
  }

  void mount(Router router) {
    router.post("/publish/:address").handler(this::publish);
  }

  private void publish(RoutingContext ctx) {
    String address = ctx.pathParam("address");
    if (Addresses.isInternal(address)) {
      throw ApiException.badRequest(ApiErrors.GENERIC, ApiErrors.internalAddress(address));
    }
    Object body = body(ctx);
    if (!"true".equals(ctx.queryParam("ack").stream().findFirst().orElse("false"))) {
      vertx.eventBus().publish(address, body);
      Responses.empty(ctx, 202);
      return;
    }
    vertx.eventBus().<JsonObject>request(address, body, new DeliveryOptions().setSendTimeout(ACK_TIMEOUT_MS))
      .onComplete(ar -> {
        if (ar.succeeded()) {
          Responses.json(ctx, 200, ar.result().body());
          return;
        }
        if (ar.cause() instanceof ReplyException re) {
          switch (re.failureType()) {
            case NO_HANDLERS -> Responses.error(ctx, 503, ApiErrors.GENERIC, ApiErrors.noConsumer(address));
            case TIMEOUT -> Responses.error(ctx, 504, ApiErrors.GENERIC,
              ApiErrors.ackTimeout(address, ACK_TIMEOUT_MS));
            default -> Responses.error(ctx, 502, ApiErrors.GENERIC,
              ApiErrors.notDelivered(re.failureCode(), re.getMessage()));
          }
          return;
        }
        ctx.fail(ar.cause());
      });
  }

  /** application/json object or array → JsonObject/JsonArray, text/plain → String, anything else → Buffer. */
  private static Object body(RoutingContext ctx) {
    Buffer raw = ctx.body().buffer() == null ? Buffer.buffer() : ctx.body().buffer();
    String type = ctx.request().getHeader(HttpHeaders.CONTENT_TYPE);
    String mime = type == null ? "" : type.split(";")[0].trim().toLowerCase(Locale.ROOT);
    if (mime.equals("application/json")) {
      Object value;
      try {
        value = Json.decodeValue(raw);
      } catch (DecodeException e) {
        throw ApiException.badRequest(ApiErrors.GENERIC, ApiErrors.invalidBody(Responses.firstLine(e.getMessage())));
      }
      if (value instanceof JsonObject || value instanceof JsonArray) {
        return value;
      }
      throw ApiException.badRequest(ApiErrors.GENERIC, ApiErrors.PUBLISH_JSON_NOT_ROWS);
    }
    if (mime.equals("text/plain")) {
      return raw.toString(StandardCharsets.UTF_8);
    }
    return raw;
  }
}
