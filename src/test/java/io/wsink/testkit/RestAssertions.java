package io.wsink.testkit;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Assertions on REST answers (§6): the JSON Content-Type, the {@code {"error", "message"}} envelope, empty bodies. */
public final class RestAssertions {

  private RestAssertions() {
  }

  public static void assertJsonContentType(HttpResponse<Buffer> r) {
    String type = r.getHeader("Content-Type");
    assertTrue(type != null && type.startsWith("application/json"), "Content-Type: " + type);
  }

  /** {@code status}, no body (or an empty one). */
  public static void assertEmptyBody(HttpResponse<Buffer> r, int status) {
    assertEquals(status, r.statusCode(), r.bodyAsString());
    assertTrue(r.body() == null || r.body().length() == 0, "expected an empty body, got: " + r.bodyAsString());
  }

  /** {@code status}, JSON, an error envelope with a numeric code and a message; returns the envelope. */
  public static JsonObject assertErrorEnvelope(HttpResponse<Buffer> r, int status) {
    assertEquals(status, r.statusCode(), r.bodyAsString());
    assertJsonContentType(r);
    JsonObject body = r.bodyAsJsonObject();
    assertNotNull(body.getInteger("error"), body.encode());
    assertNotNull(body.getString("message"), body.encode());
    return body;
  }

  /** {@code status}, JSON and exactly {@code {"error": code, "message": message}}. */
  public static void assertError(HttpResponse<Buffer> r, int status, int code, String message) {
    assertEquals(status, r.statusCode(), r.bodyAsString());
    assertJsonContentType(r);
    assertEquals(new JsonObject().put("error", code).put("message", message), r.bodyAsJsonObject());
  }

  /** {@code status}, JSON and exactly {@code {"error": <any code>, "message": message}}. */
  public static void assertError(HttpResponse<Buffer> r, int status, String message) {
    JsonObject body = assertErrorEnvelope(r, status);
    assertEquals(message, body.getString("message"), body.encode());
    assertEquals(2, body.size(), body.encode());
  }

  /** {@code status}, JSON, {@code code} and a message that starts with {@code prefix} and says more. */
  public static void assertErrorStartsWith(HttpResponse<Buffer> r, int status, int code, String prefix) {
    JsonObject body = assertErrorEnvelope(r, status);
    assertEquals(code, body.getInteger("error"), body.encode());
    String message = body.getString("message");
    assertTrue(message.startsWith(prefix) && message.length() > prefix.length(), message);
  }
}
