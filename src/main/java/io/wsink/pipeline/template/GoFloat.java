package io.wsink.pipeline.template;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * Go's strconv float formatting, byte for byte: the shortest round-trip digits (which Java 17's
 * {@link Double#toString} does not always produce) and the %e/%f/%g layouts built on them.
 */
final class GoFloat {

  private GoFloat() {
  }

  /** Decimal digits (no leading or trailing zeros; empty for zero) and the point position: 0.digits × 10^dp. */
  record Digits(String d, int dp) {
    int nd() {
      return d.length();
    }

    char at(int i) {
      return d.charAt(i);
    }
  }

  private static final Digits ZERO = new Digits("", 0);

  /** The fewest digits that read back as {@code abs} (the closest such when several exist), as Go's %v finds them. */
  static Digits shortest(double abs) {
    if (abs == 0) {
      return ZERO;
    }
    if (abs < 1e15 && abs == Math.rint(abs)) {
      return of(BigDecimal.valueOf((long) abs)); // exact, and nothing shorter reads back as the same integer
    }
    BigDecimal exact = new BigDecimal(abs);
    // Double.toString always reads back, so its digit count bounds the answer; and if p digits read back, p + 1
    // do too: binary search for the fewest
    int lo = 1;
    int hi = Math.min(significantDigits(Double.toString(abs)), 17);
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (readsBack(exact, abs, mid) != null) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    BigDecimal best = readsBack(exact, abs, lo);
    return of(best != null ? best : exact.round(new MathContext(17, RoundingMode.HALF_EVEN)));
  }

  /** The {@code p}-digit decimal closest to {@code exact} that reads back as {@code abs}, or null. */
  private static BigDecimal readsBack(BigDecimal exact, double abs, int p) {
    BigDecimal near = exact.round(new MathContext(p, RoundingMode.HALF_EVEN));
    if (near.doubleValue() == abs) {
      return near;
    }
    // at a power of two the interval that reads back is lopsided: the farther neighbour may still fit
    RoundingMode away = near.compareTo(exact) < 0 ? RoundingMode.CEILING : RoundingMode.FLOOR;
    BigDecimal other = exact.round(new MathContext(p, away));
    return other.doubleValue() == abs ? other : null;
  }

  /** Significant digits of Double.toString's output ("1.0E-5" has one, "36.25" four). */
  private static int significantDigits(String s) {
    int e = s.indexOf('E');
    String mantissa = e < 0 ? s : s.substring(0, e);
    int first = -1;
    int last = -1;
    for (int i = 0; i < mantissa.length(); i++) {
      char c = mantissa.charAt(i);
      if (c >= '1' && c <= '9') {
        if (first < 0) {
          first = i;
        }
        last = i;
      }
    }
    if (first < 0) {
      return 1;
    }
    int n = 0;
    for (int i = first; i <= last; i++) {
      if (mantissa.charAt(i) != '.') {
        n++;
      }
    }
    return n;
  }

  /** {@code sig} significant digits, rounded half to even on the exact binary value (Go's %e and %g). */
  static Digits significant(double abs, int sig) {
    if (abs == 0) {
      return ZERO;
    }
    return of(new BigDecimal(abs).round(new MathContext(sig, RoundingMode.HALF_EVEN)));
  }

  /** {@code frac} digits after the point, rounded half to even (Go's %f). */
  static Digits fixed(double abs, int frac) {
    if (abs == 0) {
      return ZERO;
    }
    BigDecimal r = new BigDecimal(abs).setScale(frac, RoundingMode.HALF_EVEN);
    return r.signum() == 0 ? ZERO : of(r);
  }

  private static Digits of(BigDecimal v) {
    BigDecimal s = v.stripTrailingZeros();
    String digits = s.unscaledValue().toString();
    return new Digits(digits, digits.length() - s.scale());
  }

  /** d.ddde±dd with {@code prec} digits after the point. */
  static void fmtE(StringBuilder sb, boolean neg, Digits d, int prec, char e) {
    if (neg) {
      sb.append('-');
    }
    sb.append(d.nd() == 0 ? '0' : d.at(0));
    if (prec > 0) {
      sb.append('.');
      int i = 1;
      int m = Math.min(d.nd(), prec + 1);
      if (i < m) {
        sb.append(d.d(), i, m);
        i = m;
      }
      for (; i <= prec; i++) {
        sb.append('0');
      }
    }
    sb.append(e);
    int exp = d.nd() == 0 ? 0 : d.dp() - 1;
    if (exp < 0) {
      sb.append('-');
      exp = -exp;
    } else {
      sb.append('+');
    }
    if (exp < 10) {
      sb.append('0');
    }
    sb.append(exp);
  }

  /** ddd.ddd with {@code prec} digits after the point. */
  static void fmtF(StringBuilder sb, boolean neg, Digits d, int prec) {
    if (neg) {
      sb.append('-');
    }
    if (d.dp() > 0) {
      int m = Math.min(d.nd(), d.dp());
      sb.append(d.d(), 0, m);
      for (; m < d.dp(); m++) {
        sb.append('0');
      }
    } else {
      sb.append('0');
    }
    if (prec > 0) {
      sb.append('.');
      for (int i = 1; i <= prec; i++) {
        int j = d.dp() + i - 1;
        sb.append(j >= 0 && j < d.nd() ? d.at(j) : '0');
      }
    }
  }

  /** strconv %g / %G; {@code prec < 0} means shortest (which is what %v uses). */
  static void fmtG(StringBuilder sb, boolean neg, double abs, int prec, char g) {
    boolean shortest = prec < 0;
    Digits d;
    if (shortest) {
      d = shortest(abs);
      prec = d.nd();
    } else {
      if (prec == 0) {
        prec = 1;
      }
      d = significant(abs, prec);
    }
    int eprec = prec;
    if (eprec > d.nd() && d.nd() >= d.dp()) {
      eprec = d.nd();
    }
    if (shortest) {
      eprec = 6; // Go's %v switches to an exponent from 1e+06 on
    }
    int exp = d.dp() - 1;
    if (exp < -4 || exp >= eprec) {
      if (prec > d.nd()) {
        prec = d.nd();
      }
      fmtE(sb, neg, d, prec - 1, g == 'g' ? 'e' : 'E');
      return;
    }
    if (prec > d.dp()) {
      prec = d.nd();
    }
    fmtF(sb, neg, d, Math.max(prec - d.dp(), 0));
  }

  static boolean negative(double v) {
    return !Double.isNaN(v) && (Double.doubleToRawLongBits(v) < 0);
  }

  /** fmt's %v of a float64: 22.5, 22, 1e+06, -0, +Inf, NaN. */
  static String v(double v) {
    if (Double.isNaN(v)) {
      return "NaN";
    }
    if (Double.isInfinite(v)) {
      return v > 0 ? "+Inf" : "-Inf";
    }
    StringBuilder sb = new StringBuilder(24);
    fmtG(sb, negative(v), Math.abs(v), -1, 'g');
    return sb.toString();
  }

  /** strconv.FormatFloat(v, 'f', -1, 64): shortest digits, never an exponent (eKuiper's base64 uses it). */
  static String plain(double v) {
    if (Double.isNaN(v)) {
      return "NaN";
    }
    if (Double.isInfinite(v)) {
      return v > 0 ? "+Inf" : "-Inf";
    }
    Digits d = shortest(Math.abs(v));
    StringBuilder sb = new StringBuilder(24);
    fmtF(sb, negative(v), d, Math.max(d.nd() - d.dp(), 0));
    return sb.toString();
  }

  /** encoding/json's float64: like ES6, exponent only below 1e-6 or from 1e21, "e-7" not "e-07". */
  static String json(double v) {
    double abs = Math.abs(v);
    Digits d = shortest(abs);
    StringBuilder sb = new StringBuilder(24);
    if (abs != 0 && (abs < 1e-6 || abs >= 1e21)) {
      fmtE(sb, negative(v), d, Math.max(d.nd() - 1, 0), 'e');
      int n = sb.length();
      if (n >= 4 && sb.charAt(n - 4) == 'e' && sb.charAt(n - 3) == '-' && sb.charAt(n - 2) == '0') {
        sb.deleteCharAt(n - 2);
      }
    } else {
      fmtF(sb, negative(v), d, Math.max(d.nd() - d.dp(), 0));
    }
    return sb.toString();
  }

  /** strconv %x (prec -1): -0x1.8p+01. */
  static String hex(double v, boolean upper) {
    long bits = Double.doubleToRawLongBits(v);
    boolean neg = bits < 0;
    int exp = (int) (bits >>> 52) & 0x7FF;
    long mant = bits & ((1L << 52) - 1);
    if (exp == 0) {
      exp++;
    } else {
      mant |= 1L << 52;
    }
    exp -= 1023;
    if (mant == 0) {
      exp = 0;
    }
    mant <<= 60 - 52;
    while (mant != 0 && (mant & (1L << 60)) == 0) {
      mant <<= 1;
      exp--;
    }
    String digits = upper ? GoStrings.UPPER_HEX : GoStrings.LOWER_HEX;
    StringBuilder sb = new StringBuilder();
    if (neg) {
      sb.append('-');
    }
    sb.append('0').append(upper ? 'X' : 'x').append((char) ('0' + ((mant >>> 60) & 1)));
    mant <<= 4;
    if (mant != 0) {
      sb.append('.');
      while (mant != 0) {
        sb.append(digits.charAt((int) ((mant >>> 60) & 15)));
        mant <<= 4;
      }
    }
    sb.append(upper ? 'P' : 'p');
    if (exp < 0) {
      sb.append('-');
      exp = -exp;
    } else {
      sb.append('+');
    }
    if (exp < 10) {
      sb.append('0');
    }
    return sb.append(exp).toString();
  }

  /** strconv %b: decimal mantissa and binary exponent, 4503599627370496p-52. */
  static String binary(double v) {
    long bits = Double.doubleToRawLongBits(v);
    int exp = (int) (bits >>> 52) & 0x7FF;
    long mant = bits & ((1L << 52) - 1);
    if (exp == 0) {
      exp++;
    } else {
      mant |= 1L << 52;
    }
    exp -= 1023 + 52;
    return (bits < 0 ? "-" : "") + mant + "p" + (exp >= 0 ? "+" : "") + exp;
  }
}
