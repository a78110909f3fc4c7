package io.wsink.pipeline;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

import java.util.List;

/** What one producer message carries, once its body is classified (§3): rows, or a raw text or binary payload. */
public sealed interface Payload {

  /** One row (a JsonObject) or a result set (a JsonArray of objects); a batch is one result set too. */
  record Rows(List<JsonObject> rows) implements Payload {
    public Rows {
      rows = List.copyOf(rows);
    }
  }

  /** A raw String: skips the row transforms. */
  record Text(String text) implements Payload {
  }

  /** A raw Buffer or byte[]: skips the row transforms. */
  record Binary(Buffer data) implements Payload {
  }
}
