package io.wsink.pipeline;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.wsink.sink.FrameType;
import io.wsink.sink.WebSocketActionProps;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * Turns what a producer published into the frames one action sends (§5.1 order):
 * rows → {@code omitIfEmpty} → {@code sendSingle} split → {@code dataField} → {@code fields} → format json → frame.
 *
 * <p>Raw payloads (String, Buffer, byte[]) skip the row transforms. Stateless and cheap to call: stages that are not
 * configured cost nothing.
 */
public final class SinkPipeline {

  private final boolean sendSingle;
  private final boolean omitIfEmpty;
  private final String dataField;
  private final List<String> fields;
  private final FrameType frameType;

  public SinkPipeline(WebSocketActionProps props) {
    this.sendSingle = props.sendSingle();
    this.omitIfEmpty = props.omitIfEmpty();
    this.dataField = props.dataField().isEmpty() ? null : props.dataField();
    this.fields = props.fields();
    this.frameType = props.frameType();
  }

  /**
   * @return the frames to send, in order; empty when {@code omitIfEmpty} suppressed the message
   * @throws PipelineException when the body is not one of the four kinds of §3
   */
  public List<Frame> apply(Object body) throws PipelineException {
    if (body instanceof JsonObject row) {
      if (omitIfEmpty && row.isEmpty()) {
        return List.of();
      }
      return List.of(sendSingle ? encodeRow(row) : encodeRows(List.of(row)));
    }
    if (body instanceof JsonArray array) {
      List<JsonObject> rows = rows(array);
      if (sendSingle) {
        List<Frame> frames = new ArrayList<>(rows.size());
        for (JsonObject row : rows) {
          if (!(omitIfEmpty && row.isEmpty())) {
            frames.add(encodeRow(row));
          }
        }
        return frames;
      }
      if (omitIfEmpty && rows.stream().allMatch(JsonObject::isEmpty)) {
        return List.of();
      }
      return List.of(encodeRows(rows));
    }
    if (body instanceof String text) {
      return List.of(frameType == FrameType.BINARY ? Frame.binary(Buffer.buffer(text)) : Frame.text(text));
    }
    if (body instanceof Buffer data) {
      return List.of(raw(data));
    }
    if (body instanceof byte[] bytes) {
      return List.of(raw(Buffer.buffer(bytes)));
    }
    throw new PipelineException("unsupported message body " + (body == null ? "null" : body.getClass().getName())
      + ": publish a JsonObject (a row), a JsonArray of objects (rows), a String or a Buffer/byte[]");
  }

  private Frame raw(Buffer data) {
    // a text frame must carry UTF-8: malformed input is replaced, never sent as invalid text
    return frameType == FrameType.TEXT ? Frame.text(data.toString(StandardCharsets.UTF_8)) : Frame.binary(data);
  }

  private static List<JsonObject> rows(JsonArray array) throws PipelineException {
    List<JsonObject> rows = new ArrayList<>(array.size());
    for (int i = 0; i < array.size(); i++) {
      Object item = array.getValue(i);
      if (item instanceof JsonObject o) {
        rows.add(o);
      } else {
        throw new PipelineException("a result set must be a JSON array of objects, but item " + i + " is "
          + (item == null ? "null" : item instanceof JsonArray ? "an array" : "a " + item.getClass().getSimpleName()));
      }
    }
    return rows;
  }

  private Frame encodeRow(JsonObject row) {
    Object value = dataField != null ? row.getValue(dataField) : row;
    return frame(project(value));
  }

  private Frame encodeRows(List<JsonObject> rows) {
    Object value;
    if (dataField != null) {
      value = rows.isEmpty() ? null : rows.get(0).getValue(dataField);
    } else {
      value = new JsonArray(new ArrayList<>(rows));
    }
    return frame(project(value));
  }

  /** {@code fields}: keep only the listed keys (missing ones become null), in the listed order. */
  private Object project(Object value) {
    if (fields == null) {
      return value;
    }
    if (value instanceof JsonObject o) {
      return keep(o);
    }
    if (value instanceof JsonArray a) {
      JsonArray out = new JsonArray(new ArrayList<>(a.size()));
      for (Object item : a) {
        out.add(item instanceof JsonObject o ? keep(o) : item);
      }
      return out;
    }
    return value;
  }

  private JsonObject keep(JsonObject row) {
    JsonObject out = new JsonObject(new LinkedHashMap<>(fields.size() * 2));
    for (String f : fields) {
      out.put(f, row.getValue(f));
    }
    return out;
  }

  private Frame frame(Object value) {
    String json = value instanceof JsonObject o ? o.encode()
      : value instanceof JsonArray a ? a.encode()
      : Json.encode(value);
    return frameType == FrameType.BINARY ? Frame.binary(Buffer.buffer(json)) : Frame.text(json);
  }
}
