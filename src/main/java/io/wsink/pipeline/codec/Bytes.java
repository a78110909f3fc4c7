package io.wsink.pipeline.codec;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Map;

/** What counts as an already encoded payload ({@code byte[]}, a Vert.x {@link Buffer}), and kinds for messages. */
final class Bytes {

  private Bytes() {
  }

  /** @return the bytes of {@code value}, or null when it is not bytes */
  static byte[] of(Object value) {
    if (value instanceof byte[] b) {
      return b;
    }
    if (value instanceof Buffer b) {
      return b.getBytes();
    }
    return null;
  }

  /** A short description of a value's kind for error messages: "a row (JSON object)", "a string", "null", … */
  static String kind(Object value) {
    if (value == null) {
      return "null";
    }
    if (value instanceof Map<?, ?> || value instanceof JsonObject) {
      return "a row (JSON object)";
    }
    if (value instanceof List<?> || value instanceof JsonArray) {
      return "a result set (JSON array)";
    }
    if (value instanceof CharSequence) {
      return "a string";
    }
    if (value instanceof Number) {
      return "a number";
    }
    if (value instanceof Boolean) {
      return "a boolean";
    }
    return "a " + value.getClass().getName();
  }
}
