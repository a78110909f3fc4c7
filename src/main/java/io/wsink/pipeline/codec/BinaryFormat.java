package io.wsink.pipeline.codec;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

import java.util.Base64;
import java.util.Map;

/**
 * {@code format: binary}, as eKuiper's binary converter encodes for a sink: bytes go out as they are; a row goes out
 * as the bytes of its field {@code self} (the field eKuiper's binary decoder fills), which must hold bytes or their
 * base64 text; anything else — a result set, a string, a number, a row without {@code self} — is an error.
 */
final class BinaryFormat implements Format {

  static final BinaryFormat INSTANCE = new BinaryFormat();

  /** eKuiper's {@code message.DefaultField}. */
  static final String FIELD = "self";

  private BinaryFormat() {
  }

  @Override
  public byte[] encode(Object value) throws CodecException {
    byte[] raw = Bytes.of(value);
    if (raw != null) {
      return raw;
    }
    Map<String, Object> row = value instanceof JsonObject o ? o.getMap() : null;
    if (row == null && value instanceof Map<?, ?> m) {
      @SuppressWarnings("unchecked")
      Map<String, Object> r = (Map<String, Object>) m;
      row = r;
    }
    if (row == null) {
      throw new CodecException("format binary sends bytes: publish a Buffer or byte[], or a row whose field \""
        + FIELD + "\" holds the bytes (sendSingle: true for a result set); got " + Bytes.kind(value));
    }
    if (!row.containsKey(FIELD)) {
      throw new CodecException("format binary: the row has no field \"" + FIELD + "\" to send (fields: "
        + row.keySet() + "); use dataField to pick the bytes, or name the field \"" + FIELD + "\"");
    }
    Object field = row.get(FIELD);
    if (field instanceof byte[] b) {
      return b;
    }
    if (field instanceof Buffer b) {
      return b.getBytes();
    }
    if (field instanceof String s) {
      return base64(s);
    }
    throw new CodecException("format binary: field \"" + FIELD + "\" is " + Bytes.kind(field)
      + ", not bytes or base64 text");
  }

  /** Standard base64 as eKuiper reads it; the URL-safe alphabet (Vert.x's JSON form of binary) is accepted too. */
  private static byte[] base64(String s) throws CodecException {
    try {
      return Base64.getDecoder().decode(s);
    } catch (IllegalArgumentException standard) {
      try {
        return Base64.getUrlDecoder().decode(s);
      } catch (IllegalArgumentException url) {
        throw new CodecException("format binary: field \"" + FIELD + "\" is a string that is not base64 ("
          + standard.getMessage() + ")");
      }
    }
  }

  @Override
  public String toString() {
    return "binary";
  }
}
