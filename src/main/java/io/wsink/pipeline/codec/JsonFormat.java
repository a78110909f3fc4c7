package io.wsink.pipeline.codec;

import io.vertx.core.json.EncodeException;
import io.vertx.core.json.Json;

import java.nio.charset.StandardCharsets;

/**
 * {@code format: json}: the JSON text of the value, by Vert.x's Jackson codec — keys in the order the row holds them,
 * non-ASCII text as UTF-8. The same bytes the pipeline sent before the codec stages existed.
 */
final class JsonFormat implements Format {

  static final JsonFormat INSTANCE = new JsonFormat();

  private JsonFormat() {
  }

  @Override
  public byte[] encode(Object value) throws CodecException {
    byte[] raw = Bytes.of(value);
    if (raw != null) {
      return raw;
    }
    try {
      // through a String, as JsonObject#encode: Jackson's byte generator would write a character outside the BMP (an
      // emoji) as two escaped surrogates, where its text generator, Go and the frames sent so far write its UTF-8
      return Json.encode(value).getBytes(StandardCharsets.UTF_8);
    } catch (EncodeException e) {
      throw new CodecException("format json cannot encode " + Bytes.kind(value) + ": " + e.getMessage(), e);
    }
  }

  @Override
  public String toString() {
    return "json";
  }
}
