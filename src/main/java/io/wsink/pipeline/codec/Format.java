package io.wsink.pipeline.codec;

import java.util.List;
import java.util.Locale;

/**
 * The {@code format} stage of §5.1: encodes one output value — a row ({@link java.util.Map} or
 * {@link io.vertx.core.json.JsonObject}), a result set ({@link List} or {@link io.vertx.core.json.JsonArray} of
 * rows), or any other JSON value — to the bytes of one message.
 *
 * <p>Bytes ({@code byte[]} or a Vert.x {@link io.vertx.core.buffer.Buffer}) are already encoded: every format returns
 * them unchanged, as eKuiper's encode step lets a raw tuple through. Pass a {@code dataTemplate}'s output that way.
 *
 * <p>Instances are immutable and safe to share between threads.
 */
public interface Format {

  /** The names {@link #of} accepts, in the order error messages list them. */
  List<String> NAMES = List.of("json", "delimited", "binary");

  /**
   * @param value the output value; bytes pass through unchanged
   * @return the encoded message, never null
   * @throws CodecException when this format cannot encode the value (the message says why)
   */
  byte[] encode(Object value) throws CodecException;

  /**
   * The format named by the {@code format} property.
   *
   * @param name      {@code json}, {@code delimited} or {@code binary}, in any case (eKuiper lower-cases it); null or
   *                  empty means {@code json}, eKuiper's default
   * @param delimiter {@code delimited} only: the separator of the values of one row; null or empty means {@code ","}
   * @param fields    {@code delimited} only: the columns, in order; null or empty means the row's keys sorted, as
   *                  eKuiper does
   * @throws IllegalArgumentException for any other name, naming the accepted values
   */
  static Format of(String name, String delimiter, List<String> fields) {
    String n = name == null ? "" : name.toLowerCase(Locale.ROOT);
    switch (n) {
      case "":
      case "json":
        return JsonFormat.INSTANCE;
      case "delimited":
        return new DelimitedFormat(delimiter, fields);
      case "binary":
        return BinaryFormat.INSTANCE;
      default:
        throw new IllegalArgumentException("unsupported format \"" + name + "\": accepted values are "
          + String.join(", ", NAMES));
    }
  }
}
