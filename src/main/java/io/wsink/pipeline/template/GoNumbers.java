package io.wsink.pipeline.template;

import java.math.BigInteger;
import java.util.regex.Pattern;

/**
 * Go's number syntax (strconv.ParseInt with base 0, strconv.ParseFloat) and the spf13/cast conversions that sprig's
 * arithmetic is built on: {@code add 1 2.5} is 3 because every operand goes through cast.ToInt64.
 */
final class GoNumbers {

  private GoNumbers() {
  }

  private static final BigInteger MAX_UINT64 = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);
  private static final BigInteger MIN_INT64 = BigInteger.valueOf(Long.MIN_VALUE);
  private static final BigInteger MAX_INT64 = BigInteger.valueOf(Long.MAX_VALUE);
  private static final Pattern DECIMAL_FLOAT = Pattern.compile("[0-9_]*(\\.[0-9_]*)?([eE][+-]?[0-9_]+)?");
  private static final Pattern HEX_FLOAT = Pattern.compile("0[xX][0-9a-fA-F_]*(\\.[0-9a-fA-F_]*)?[pP][+-]?[0-9_]+");

  /** strconv.ParseInt/ParseUint(s, 0, 64) before the range check: null when the syntax is not a Go integer. */
  static BigInteger parseInteger(String s) {
    if (s.isEmpty()) {
      return null;
    }
    boolean neg = false;
    int i = 0;
    if (s.charAt(0) == '+' || s.charAt(0) == '-') {
      neg = s.charAt(0) == '-';
      i = 1;
    }
    String body = s.substring(i);
    int base = 10;
    String digits = body;
    if (body.length() >= 2 && body.charAt(0) == '0') {
      char p = Character.toLowerCase(body.charAt(1));
      if (p == 'x' || p == 'o' || p == 'b') {
        base = p == 'x' ? 16 : p == 'o' ? 8 : 2;
        digits = body.substring(2);
      } else {
        base = 8;
        digits = body.substring(1);
      }
    }
    if (!underscoreOk(body)) {
      return null;
    }
    digits = digits.replace("_", "");
    if (digits.isEmpty()) {
      return base == 8 && body.replace("_", "").equals("0") ? BigInteger.ZERO : null;
    }
    for (int k = 0; k < digits.length(); k++) {
      if (Character.digit(digits.charAt(k), base) < 0) {
        return null;
      }
    }
    BigInteger v = new BigInteger(digits, base);
    return neg ? v.negate() : v;
  }

  /** Underscores only between digits, or between a base prefix and a digit (strconv's underscoreOK). */
  private static boolean underscoreOk(String s) {
    if (s.indexOf('_') < 0) {
      return true;
    }
    char saw = '^';
    int i = 0;
    boolean hex = false;
    if (s.length() >= 2 && s.charAt(0) == '0' && "xXoObB".indexOf(s.charAt(1)) >= 0) {
      hex = Character.toLowerCase(s.charAt(1)) == 'x';
      i = 2;
      saw = '0';
    }
    for (; i < s.length(); i++) {
      char c = s.charAt(i);
      if (('0' <= c && c <= '9') || (hex && Character.digit(c, 16) >= 0)) {
        saw = '0';
        continue;
      }
      if (c == '_') {
        if (saw != '0') {
          return false;
        }
        saw = '_';
        continue;
      }
      if (saw == '_') {
        return false;
      }
      saw = '!';
    }
    return saw != '_';
  }

  static boolean fitsInt64(BigInteger v) {
    return v.compareTo(MIN_INT64) >= 0 && v.compareTo(MAX_INT64) <= 0;
  }

  static boolean fitsUint64(BigInteger v) {
    return v.signum() >= 0 && v.compareTo(MAX_UINT64) <= 0;
  }

  /** strconv.ParseInt(s, 0, 64); null on any error. */
  static Long parseInt64(String s) {
    BigInteger v = parseInteger(s);
    return v != null && fitsInt64(v) ? v.longValue() : null;
  }

  /** strconv.ParseFloat(s, 64); null on a syntax error or an overflow (Go's ErrRange). */
  static Double parseFloat(String s) {
    String body = s;
    boolean neg = false;
    if (!body.isEmpty() && (body.charAt(0) == '+' || body.charAt(0) == '-')) {
      neg = body.charAt(0) == '-';
      body = body.substring(1);
    }
    String lower = body.toLowerCase();
    if (lower.equals("inf") || lower.equals("infinity")) {
      return neg ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
    }
    if (lower.equals("nan")) {
      return Double.NaN;
    }
    boolean hex = HEX_FLOAT.matcher(body).matches();
    if (!hex && (!DECIMAL_FLOAT.matcher(body).matches() || body.replace("_", "").replace(".", "").isEmpty()
      || body.replace("_", "").startsWith("e") || body.replace("_", "").startsWith(".e"))) {
      return null;
    }
    if (!underscoreOk(body)) {
      return null;
    }
    double v;
    try {
      v = Double.parseDouble(body.replace("_", ""));
    } catch (NumberFormatException e) {
      return null;
    }
    if (Double.isInfinite(v)) {
      return null;
    }
    return neg ? -v : v;
  }

  /** cast's trimZeroDecimal: "12.00" → "12", anything else unchanged. */
  private static String trimZeroDecimal(String s) {
    boolean foundZero = false;
    for (int i = s.length(); i > 0; i--) {
      switch (s.charAt(i - 1)) {
        case '.':
          if (foundZero) {
            return s.substring(0, i - 1);
          }
          break;
        case '0':
          foundZero = true;
          break;
        default:
          return s;
      }
    }
    return s;
  }

  /** cast.ToInt64 (errors become 0, as sprig ignores them). */
  static long toInt64(Object v) {
    if (v instanceof Long || v instanceof Integer) {
      return ((Number) v).longValue();
    }
    if (v instanceof Double d) {
      return goTruncate(d);
    }
    if (v instanceof String s) {
      Long parsed = parseInt64(trimZeroDecimal(s));
      return parsed == null ? 0 : parsed;
    }
    if (v instanceof Boolean b) {
      return b ? 1 : 0;
    }
    return 0;
  }

  /** cast.ToFloat64 (errors become 0). */
  static double toFloat64(Object v) {
    if (v instanceof Long || v instanceof Integer || v instanceof Double) {
      return ((Number) v).doubleValue();
    }
    if (v instanceof String s) {
      Double parsed = parseFloat(s);
      return parsed == null ? 0 : parsed;
    }
    if (v instanceof Boolean b) {
      return b ? 1 : 0;
    }
    return 0;
  }

  /** Go's int64(f) on amd64: truncation; NaN and out-of-range values give the minimum int64. */
  static long goTruncate(double d) {
    if (Double.isNaN(d) || d >= 0x1p63 || d < -0x1p63) {
      return Long.MIN_VALUE;
    }
    return (long) d;
  }
}
