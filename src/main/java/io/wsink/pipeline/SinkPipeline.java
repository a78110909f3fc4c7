package io.wsink.pipeline;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.wsink.pipeline.codec.CodecException;
import io.wsink.pipeline.codec.Compressor;
import io.wsink.pipeline.codec.Encryptor;
import io.wsink.pipeline.codec.Format;
import io.wsink.pipeline.template.GoTemplate;
import io.wsink.pipeline.template.TemplateException;
import io.wsink.sink.FrameType;
import io.wsink.sink.WebSocketActionProps;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * Turns what a producer published into the frames one action sends, in §5.1 order:
 * rows → {@code omitIfEmpty} → (batching, by the sink) → {@code sendSingle} split → {@code dataTemplate} →
 * {@code dataField} → {@code fields} → {@code format} → {@code compression} → {@code encryption} → frame.
 *
 * <p>Raw payloads (String, Buffer, byte[]) skip the row transforms but not compression and encryption. A stage that is
 * not configured costs nothing: plain JSON rows go straight from the row to a text frame, as before.
 */
public final class SinkPipeline {

  private final boolean sendSingle;
  private final boolean omitIfEmpty;
  private final String dataField;
  private final List<String> fields;
  private final FrameType frameType;
  private final GoTemplate template;
  private final Format format;
  private final Compressor compressor;
  private final Encryptor encryptor;
  private final boolean binaryFormat;
  private final boolean jsonFormat;
  /** JSON rows straight to a text frame: no template, no codec stage, JSON format. */
  private final boolean plainJson;

  /**
   * @param aesKey the node's {@code sink.aesKey}, decoded; needed only with {@code encryption: aes}
   * @throws IllegalArgumentException when {@code encryption: aes} has no usable key
   */
  public SinkPipeline(WebSocketActionProps props, byte[] aesKey) {
    this.sendSingle = props.sendSingle();
    this.omitIfEmpty = props.omitIfEmpty();
    this.dataField = props.dataField().isEmpty() ? null : props.dataField();
    this.fields = props.fields();
    this.frameType = props.frameType();
    this.template = props.dataTemplate();
    this.format = Format.of(props.format(), props.delimiter(), props.fields());
    this.compressor = Compressor.of(props.compression());
    if (props.encryption().isEmpty()) {
      this.encryptor = null;
    } else {
      if (aesKey == null || aesKey.length == 0) {
        throw new IllegalArgumentException(NO_AES_KEY);
      }
      this.encryptor = Encryptor.aes(aesKey, props.encMode(), props.encIv());
    }
    this.binaryFormat = props.format().equals("binary");
    this.jsonFormat = props.format().equals("json");
    this.plainJson = template == null && compressor == null && encryptor == null && props.format().equals("json");
  }

  public static final String NO_AES_KEY =
    "encryption aes needs a key: set sink.aesKey in wsink.yaml (base64 of 16, 24 or 32 bytes)";

  /** The whole pipeline for one message: classify, omit, encode. */
  public List<Frame> apply(Object body) throws PipelineException {
    Payload payload = classify(body);
    return omitted(payload) ? List.of() : encode(payload);
  }

  /**
   * What the body is (§3).
   *
   * @throws PipelineException when it is none of JsonObject, JsonArray of objects, String, Buffer, byte[]
   */
  public Payload classify(Object body) throws PipelineException {
    if (body instanceof JsonObject row) {
      return new Payload.Rows(List.of(row));
    }
    if (body instanceof JsonArray array) {
      return new Payload.Rows(rows(array));
    }
    if (body instanceof String text) {
      return new Payload.Text(text);
    }
    if (body instanceof Buffer data) {
      return new Payload.Binary(data);
    }
    if (body instanceof byte[] bytes) {
      return new Payload.Binary(Buffer.buffer(bytes));
    }
    throw new PipelineException("unsupported message body " + (body == null ? "null" : body.getClass().getName())
      + ": publish a JsonObject (a row), a JsonArray of objects (rows), a String or a Buffer/byte[]");
  }

  /** {@code omitIfEmpty}: no rows, or only empty ones, send nothing. */
  public boolean omitted(Payload payload) {
    return omitIfEmpty && payload instanceof Payload.Rows r && r.rows().stream().allMatch(JsonObject::isEmpty);
  }

  /**
   * The frames of one payload (a message, or a batch of rows). With {@code sendSingle}, use {@link #encodeRow} per row
   * instead when one bad row must not cost the others.
   */
  public List<Frame> encode(Payload payload) throws PipelineException {
    if (payload instanceof Payload.Text t) {
      return List.of(raw(t.text().getBytes(StandardCharsets.UTF_8), t.text()));
    }
    if (payload instanceof Payload.Binary b) {
      return List.of(raw(b.data().getBytes(), null));
    }
    List<JsonObject> rows = ((Payload.Rows) payload).rows();
    if (!sendSingle) {
      return List.of(encode(new JsonArray(new ArrayList<>(rows))));
    }
    List<Frame> frames = new ArrayList<>(rows.size());
    for (JsonObject row : rows) {
      Frame frame = encodeRow(row);
      if (frame != null) {
        frames.add(frame);
      }
    }
    return frames;
  }

  public boolean sendSingle() {
    return sendSingle;
  }

  /** No template, compression or encryption: encoding a message costs about as much as a JSON encode. */
  public boolean lightweight() {
    return template == null && compressor == null && encryptor == null;
  }

  /** One row on its own ({@code sendSingle}); null when {@code omitIfEmpty} drops it. */
  public Frame encodeRow(JsonObject row) throws PipelineException {
    return omitIfEmpty && row.isEmpty() ? null : encode(row);
  }

  /** A raw payload: compression and encryption apply, nothing else. */
  private Frame raw(byte[] bytes, String text) {
    if (compressor == null && encryptor == null) {
      if (text != null) {
        return frameType == FrameType.BINARY ? Frame.binary(Buffer.buffer(bytes)) : Frame.text(text);
      }
      // a text frame must carry UTF-8: malformed input is replaced, never sent as invalid text
      return frameType == FrameType.TEXT ? Frame.text(new String(bytes, StandardCharsets.UTF_8))
        : Frame.binary(Buffer.buffer(bytes));
    }
    return Frame.binary(Buffer.buffer(seal(bytes)));
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

  /** One unit (a row with sendSingle, else the result set) through template, dataField, fields, format and the codecs. */
  private Frame encode(Object unit) throws PipelineException {
    Object value = unit;
    String rendered = null;
    if (template != null) {
      try {
        rendered = template.execute(unit);
      } catch (TemplateException e) {
        throw new PipelineException("fail to encode data with dataTemplate for error " + e.getMessage());
      }
      if (dataField == null && fields == null && jsonFormat) {
        return bytesOut(rendered.getBytes(StandardCharsets.UTF_8), rendered);
      }
      try { // dataField, fields and a non-JSON format need the template's output to be JSON, as in eKuiper
        value = Json.decodeValue(rendered);
      } catch (DecodeException e) {
        throw new PipelineException("the dataTemplate output is not JSON, so dataField/fields/format cannot apply: "
          + e.getMessage().lines().findFirst().orElse(""));
      }
    }
    value = project(pick(value));
    if (plainJson) {
      String json = value instanceof JsonObject o ? o.encode() : value instanceof JsonArray a ? a.encode() : Json.encode(value);
      return frameType == FrameType.BINARY ? Frame.binary(Buffer.buffer(json)) : Frame.text(json);
    }
    byte[] bytes;
    try {
      bytes = format.encode(value);
    } catch (CodecException e) {
      throw new PipelineException(e.getMessage());
    }
    return bytesOut(bytes, null);
  }

  /** Encoded bytes to a frame: binary when compressed, encrypted or binary-format, else text (§4 frameType auto). */
  private Frame bytesOut(byte[] bytes, String text) {
    if (compressor != null || encryptor != null) {
      return Frame.binary(Buffer.buffer(seal(bytes)));
    }
    if (frameType == FrameType.BINARY || binaryFormat) {
      return Frame.binary(Buffer.buffer(bytes));
    }
    return Frame.text(text != null ? text : new String(bytes, StandardCharsets.UTF_8));
  }

  private byte[] seal(byte[] bytes) {
    byte[] out = compressor != null ? compressor.compress(bytes) : bytes;
    return encryptor != null ? encryptor.encrypt(out) : out;
  }

  /** {@code dataField}: the field of a row, or of the first row of a result set. */
  private Object pick(Object value) {
    if (dataField == null) {
      return value;
    }
    if (value instanceof JsonArray a) {
      return a.isEmpty() || !(a.getValue(0) instanceof JsonObject first) ? null : first.getValue(dataField);
    }
    return value instanceof JsonObject o ? o.getValue(dataField) : null;
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
}
