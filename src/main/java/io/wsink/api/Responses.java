package io.wsink.api;

import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** Small helpers shared by the REST resources: bodies in, answers out. */
final class Responses {

  private Responses() {
  }

  static void text(RoutingContext ctx, int status, String text) {
    ctx.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; charset=utf-8").end(text);
  }

  static void json(RoutingContext ctx, int status, Object json) {
    String body = json instanceof JsonObject o ? o.encode() : json instanceof JsonArray a ? a.encode() : String.valueOf(json);
    ctx.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(body);
  }

  static void empty(RoutingContext ctx, int status) {
    ctx.response().setStatusCode(status).end();
  }

  static void error(RoutingContext ctx, int status, int code, String message) {
    error(ctx.response(), status, code, message);
  }

  /** The error envelope {@code {"error": code, "message": text}}, also for requests that never reached the router. */
  static void error(HttpServerResponse response, int status, int code, String message) {
    response.setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
      .end(new JsonObject().put("error", code).put("message", message).encode());
  }

  /** Completes the request with {@code onSuccess}, or hands the failure to the router's failure handler. */
  static <T> void reply(RoutingContext ctx, Future<T> future, java.util.function.Consumer<T> onSuccess) {
    future.onComplete(ar -> {
      if (ar.succeeded()) {
        onSuccess.accept(ar.result());
      } else {
        ctx.fail(ar.cause());
      }
    });
  }

  /**
   * The request body as a JSON object.
   *
   * @param required false: an empty body reads as null
   */
  static JsonObject jsonObject(RoutingContext ctx, boolean required) {
    String text = ctx.body() == null ? null : ctx.body().asString();
    if (text == null || text.isBlank()) {
      if (required) {
        throw ApiException.badRequest(ApiErrors.GENERIC, ApiErrors.invalidBody("the body is empty; send a JSON object"));
      }
      return null;
    }
    Object value;
    try {
      value = io.vertx.core.json.Json.decodeValue(text);
    } catch (DecodeException e) {
      throw ApiException.badRequest(ApiErrors.GENERIC, ApiErrors.invalidBody(firstLine(e.getMessage())));
    }
    if (!(value instanceof JsonObject object)) {
      throw ApiException.badRequest(ApiErrors.GENERIC, ApiErrors.invalidBody("expected a JSON object"));
    }
    return object;
  }

  static String firstLine(String message) {
    if (message == null) {
      return "malformed JSON";
    }
    String line = message.lines().findFirst().orElse(message).replace("Failed to decode:", "").trim();
    int source = line.indexOf(" at [Source");
    return source > 0 ? line.substring(0, source) : line;
  }
}
