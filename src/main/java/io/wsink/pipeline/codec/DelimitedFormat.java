package io.wsink.pipeline.codec;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code format: delimited}, as eKuiper's delimited converter writes it for a sink:
 * <ul>
 *   <li>a row is one line of its values joined by the delimiter (default {@code ","}), without a header and without a
 *   line break at the end;</li>
 *   <li>a result set is one such line per row, the lines joined by {@code "\n"} (none after the last); an empty
 *   result set is empty;</li>
 *   <li>the columns are {@code fields}, in order; without {@code fields}, the row's keys sorted (for a result set, the
 *   first row's keys, for every row);</li>
 *   <li>a value is written as eKuiper's {@code cast.ToString(v, CONVERT_ALL)} writes it: a string as is, bytes as
 *   they are, {@code true}/{@code false}, integers in decimal, floating point numbers as Go's
 *   {@code strconv.FormatFloat(f, 'f', -1, 64)} (the shortest decimal that reads back, never an exponent:
 *   {@code 22.5}, {@code 100}, {@code 0.0000001}), and {@code null}, a missing key, a nested object or array as
 *   nothing (eKuiper ignores the conversion error of a nested value and writes an empty string).</li>
 * </ul>
 * Values are not quoted or escaped, as in eKuiper: a delimiter inside a value is written as it is.
 */
final class DelimitedFormat implements Format {

  private final byte[] delimiter;
  private final List<String> fields;

  DelimitedFormat(String delimiter, List<String> fields) {
    this.delimiter = (delimiter == null || delimiter.isEmpty() ? "," : delimiter).getBytes(StandardCharsets.UTF_8);
    this.fields = fields == null || fields.isEmpty() ? null : List.copyOf(fields);
  }

  @Override
  public byte[] encode(Object value) throws CodecException {
    byte[] raw = Bytes.of(value);
    if (raw != null) {
      return raw;
    }
    Map<String, Object> row = row(value);
    if (row != null) {
      ByteArrayOutputStream out = new ByteArrayOutputStream(64);
      writeLine(out, row, fields != null ? fields : sortedKeys(row));
      return out.toByteArray();
    }
    List<?> items = value instanceof JsonArray a ? a.getList() : value instanceof List<?> l ? l : null;
    if (items == null) {
      throw new CodecException("format delimited encodes a row (JSON object) or a result set (array of objects), not "
        + Bytes.kind(value));
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(64 * Math.max(1, items.size()));
    List<String> columns = fields;
    for (int i = 0; i < items.size(); i++) {
      Object item = items.get(i);
      Map<String, Object> r = row(item);
      if (r == null) {
        throw new CodecException("format delimited: item " + i + " of the result set is " + Bytes.kind(item)
          + ", not a row (JSON object)");
      }
      if (columns == null) {
        columns = sortedKeys(r);
      }
      if (i > 0) {
        out.write('\n');
      }
      writeLine(out, r, columns);
    }
    return out.toByteArray();
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> row(Object value) {
    if (value instanceof JsonObject o) {
      return o.getMap();
    }
    if (value instanceof Map<?, ?> m) {
      return (Map<String, Object>) m;
    }
    return null;
  }

  /** Go's {@code sort.Strings}: byte order of the UTF-8 text, which is code point order. */
  private static List<String> sortedKeys(Map<String, Object> row) {
    List<String> keys = new ArrayList<>(row.keySet());
    keys.sort(DelimitedFormat::compareCodePoints);
    return keys;
  }

  static int compareCodePoints(String a, String b) {
    int i = 0;
    int j = 0;
    while (i < a.length() && j < b.length()) {
      int ca = a.codePointAt(i);
      int cb = b.codePointAt(j);
      if (ca != cb) {
        return Integer.compare(ca, cb);
      }
      i += Character.charCount(ca);
      j += Character.charCount(cb);
    }
    return Integer.compare(a.length() - i, b.length() - j);
  }

  private void writeLine(ByteArrayOutputStream out, Map<String, Object> row, List<String> columns) {
    for (int c = 0; c < columns.size(); c++) {
      if (c > 0) {
        out.writeBytes(delimiter);
      }
      writeValue(out, row.get(columns.get(c)));
    }
  }

  private static void writeValue(ByteArrayOutputStream out, Object v) {
    if (v == null) {
      return;
    }
    if (v instanceof byte[] b) {
      out.writeBytes(b);
    } else if (v instanceof Buffer b) {
      out.writeBytes(b.getBytes());
    } else if (v instanceof Map<?, ?> || v instanceof List<?> || v instanceof JsonObject || v instanceof JsonArray
      || v.getClass().isArray()) {
      // eKuiper: cast.ToString fails on a map or slice, the error is ignored and the cell stays empty
    } else {
      out.writeBytes(text(v).getBytes(StandardCharsets.UTF_8));
    }
  }

  /** One scalar as eKuiper's {@code cast.ToString(v, CONVERT_ALL)}. */
  static String text(Object v) {
    if (v instanceof String s) {
      return s;
    }
    if (v instanceof Double d) {
      return goFormatFloat(d, false);
    }
    if (v instanceof Float f) {
      return goFormatFloat(f.doubleValue(), true);
    }
    if (v instanceof BigDecimal d) {
      return d.toPlainString();
    }
    return v.toString(); // Boolean, the integer types, BigInteger, CharSequence, Instant, …
  }

  /**
   * Go's {@code strconv.FormatFloat(v, 'f', -1, 64)} (or {@code 32} for a float): the fewest decimal digits that read
   * back as the same value, the closest such when there is a choice, written without an exponent.
   */
  static String goFormatFloat(double v, boolean single) {
    if (Double.isNaN(v)) {
      return "NaN";
    }
    if (Double.isInfinite(v)) {
      return v > 0 ? "+Inf" : "-Inf";
    }
    if (v == 0) {
      return 1 / v < 0 ? "-0" : "0";
    }
    if (v == Math.rint(v) && Math.abs(v) < (single ? 0x1p24 : 0x1p53)) {
      return Long.toString((long) v); // every digit of an integer this small is needed to read it back
    }
    BigDecimal exact = new BigDecimal(v);
    // the JDK's digits read back but are not always the fewest (JDK-4511638, fixed in 19): start from their count
    // and drop digits while a decimal that short still reads back
    String jdk = single ? Float.toString((float) v) : Double.toString(v);
    int p = new BigDecimal(jdk).stripTrailingZeros().precision();
    BigDecimal best = fit(exact, p, v, single);
    if (best == null) { // cannot happen: the JDK's own digits are a p-digit decimal that reads back
      return plain(new BigDecimal(jdk));
    }
    while (p > 1) {
      BigDecimal shorter = fit(exact, p - 1, v, single);
      if (shorter == null) {
        break;
      }
      best = shorter;
      p--;
    }
    return plain(best);
  }

  /**
   * The closest decimal of {@code digits} significant digits that reads back as {@code v}, or null. If any decimal
   * of that length reads back, the nearest one on one side of the exact value or the other does: near a power of two
   * the interval that reads back is lopsided, so the nearest of all may miss where its other neighbour fits.
   */
  private static BigDecimal fit(BigDecimal exact, int digits, double v, boolean single) {
    BigDecimal nearest = exact.round(new MathContext(digits, RoundingMode.HALF_EVEN));
    if (readsBack(nearest, v, single)) {
      return nearest;
    }
    BigDecimal other = exact.round(new MathContext(digits,
      nearest.compareTo(exact) > 0 ? RoundingMode.FLOOR : RoundingMode.CEILING));
    return readsBack(other, v, single) ? other : null;
  }

  private static boolean readsBack(BigDecimal d, double v, boolean single) {
    return single ? d.floatValue() == (float) v : d.doubleValue() == v;
  }

  private static String plain(BigDecimal d) {
    return d.stripTrailingZeros().toPlainString();
  }

  @Override
  public String toString() {
    return "delimited";
  }
}
