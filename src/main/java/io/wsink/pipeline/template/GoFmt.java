package io.wsink.pipeline.template;

import java.util.List;
import java.util.Map;

/**
 * Go's fmt package for template values: Sprint, Sprintln and Sprintf with the verbs, flags, widths, precisions and
 * error forms ({@code %!d(string=x)}, {@code %!d(MISSING)}, {@code %!(EXTRA int=1)}) of the Go implementation.
 *
 * <p>One instance formats one call; it is cheap and not shared.
 */
final class GoFmt {

  private final StringBuilder buf = new StringBuilder(32);

  private boolean plus;
  private boolean minus;
  private boolean sharp;
  private boolean space;
  private boolean zero;
  private boolean plusV;
  private boolean sharpV;
  private boolean widPresent;
  private boolean precPresent;
  private int wid;
  private int prec;

  /** The operand being printed, for the %!verb(type=value) error form. */
  private Object arg;

  private GoFmt() {
  }

  /** fmt.Sprint: a space between operands when neither side is a string. */
  static String sprint(Object[] args) {
    GoFmt p = new GoFmt();
    boolean prevString = false;
    for (int i = 0; i < args.length; i++) {
      boolean isString = args[i] instanceof String;
      if (i > 0 && !isString && !prevString) {
        p.buf.append(' ');
      }
      p.printArg(args[i], 'v');
      prevString = isString;
    }
    return p.buf.toString();
  }

  /** fmt.Sprintln: spaces between all operands and a newline. */
  static String sprintln(Object[] args) {
    GoFmt p = new GoFmt();
    for (int i = 0; i < args.length; i++) {
      if (i > 0) {
        p.buf.append(' ');
      }
      p.printArg(args[i], 'v');
    }
    return p.buf.append('\n').toString();
  }

  /** The %v text of one value: what an action prints. */
  static String v(Object value) {
    GoFmt p = new GoFmt();
    p.printArg(value, 'v');
    return p.buf.toString();
  }

  /** fmt.Sprintf. */
  static String sprintf(String format, Object[] a) {
    GoFmt p = new GoFmt();
    p.doPrintf(format, a);
    return p.buf.toString();
  }

  private void clearFlags() {
    plus = minus = sharp = space = zero = plusV = sharpV = widPresent = precPresent = false;
    wid = prec = 0;
  }

  private boolean reordered;
  private boolean goodArgNum;

  private void doPrintf(String format, Object[] a) {
    int end = format.length();
    int argNum = 0;
    boolean afterIndex;
    reordered = false;
    formatLoop:
    for (int i = 0; i < end; ) {
      goodArgNum = true;
      int lasti = i;
      while (i < end && format.charAt(i) != '%') {
        i++;
      }
      if (i > lasti) {
        buf.append(format, lasti, i);
      }
      if (i >= end) {
        break;
      }
      i++; // past the %
      clearFlags();
      simple:
      for (; i < end; i++) {
        char c = format.charAt(i);
        switch (c) {
          case '#' -> sharp = true;
          case '0' -> zero = !minus; // zero padding only to the left
          case '+' -> plus = true;
          case '-' -> {
            minus = true;
            zero = false;
          }
          case ' ' -> space = true;
          default -> {
            if ('a' <= c && c <= 'z' && argNum < a.length) {
              if (c == 'v') {
                sharpV = sharp;
                sharp = false;
                plusV = plus;
                plus = false;
              }
              printArg(a[argNum], c);
              argNum++;
              i++;
              continue formatLoop;
            }
            break simple;
          }
        }
      }

      int[] r = argNumber(argNum, format, i, a.length);
      argNum = r[0];
      i = r[1];
      afterIndex = r[2] == 1;

      if (i < end && format.charAt(i) == '*') {
        i++;
        int[] w = intFromArg(a, argNum);
        wid = w[0];
        widPresent = w[1] == 1;
        argNum = w[2];
        if (!widPresent) {
          buf.append("%!(BADWIDTH)");
        }
        if (wid < 0) {
          wid = -wid;
          minus = true;
          zero = false;
        }
        afterIndex = false;
      } else {
        int[] n = parseNum(format, i, end);
        wid = n[0];
        widPresent = n[1] == 1;
        i = n[2];
        if (afterIndex && widPresent) {
          goodArgNum = false;
        }
      }

      if (i + 1 < end && format.charAt(i) == '.') {
        i++;
        if (afterIndex) {
          goodArgNum = false;
        }
        r = argNumber(argNum, format, i, a.length);
        argNum = r[0];
        i = r[1];
        afterIndex = r[2] == 1;
        if (i < end && format.charAt(i) == '*') {
          i++;
          int[] w = intFromArg(a, argNum);
          prec = w[0];
          precPresent = w[1] == 1;
          argNum = w[2];
          if (prec < 0) {
            prec = 0;
            precPresent = false;
          }
          if (!precPresent) {
            buf.append("%!(BADPREC)");
          }
          afterIndex = false;
        } else {
          int[] n = parseNum(format, i, end);
          prec = n[0];
          precPresent = n[1] == 1;
          i = n[2];
          if (!precPresent) {
            prec = 0;
            precPresent = true;
          }
        }
      }

      if (!afterIndex) {
        r = argNumber(argNum, format, i, a.length);
        argNum = r[0];
        i = r[1];
      }

      if (i >= end) {
        buf.append("%!(NOVERB)");
        break;
      }
      int verb = format.codePointAt(i);
      i += Character.charCount(verb);

      if (verb == '%') {
        buf.append('%');
      } else if (!goodArgNum) {
        buf.append("%!").appendCodePoint(verb).append("(BADINDEX)");
      } else if (argNum >= a.length) {
        buf.append("%!").appendCodePoint(verb).append("(MISSING)");
      } else {
        if (verb == 'v') {
          sharpV = sharp;
          sharp = false;
          plusV = plus;
          plus = false;
        }
        printArg(a[argNum], verb);
        argNum++;
      }
    }

    if (!reordered && argNum < a.length) {
      clearFlags();
      buf.append("%!(EXTRA ");
      for (int k = argNum; k < a.length; k++) {
        if (k > argNum) {
          buf.append(", ");
        }
        Object x = a[k];
        if (x == null || x == Values.MISSING) {
          buf.append("<nil>");
        } else {
          buf.append(Values.typeName(x)).append('=');
          printArg(x, 'v');
        }
      }
      buf.append(')');
    }
  }

  private static boolean tooLarge(int x) {
    return x > 1_000_000 || x < -1_000_000;
  }

  /** {number, present, next index}. */
  private static int[] parseNum(String s, int start, int end) {
    if (start >= end) {
      return new int[] {0, 0, end};
    }
    int num = 0;
    boolean present = false;
    int i = start;
    for (; i < end && s.charAt(i) >= '0' && s.charAt(i) <= '9'; i++) {
      if (tooLarge(num)) {
        return new int[] {0, 0, end};
      }
      num = num * 10 + (s.charAt(i) - '0');
      present = true;
    }
    return new int[] {num, present ? 1 : 0, i};
  }

  /** An explicit [n] argument index: {argNum, next index, found}. */
  private int[] argNumber(int argNum, String format, int i, int numArgs) {
    if (format.length() <= i || format.charAt(i) != '[') {
      return new int[] {argNum, i, 0};
    }
    reordered = true;
    String f = format.substring(i);
    int index = 0;
    int width = 1;
    boolean ok = false;
    if (f.length() >= 3) {
      for (int k = 1; k < f.length(); k++) {
        if (f.charAt(k) == ']') {
          int[] n = parseNum(f, 1, k);
          if (n[1] == 0 || n[2] != k) {
            width = k + 1;
          } else {
            index = n[0] - 1;
            width = k + 1;
            ok = true;
          }
          break;
        }
      }
    }
    if (ok && 0 <= index && index < numArgs) {
      return new int[] {index, i + width, 1};
    }
    goodArgNum = false;
    return new int[] {argNum, i + width, ok ? 1 : 0};
  }

  /** A * width or precision: {value, isInt, next argNum}. */
  private static int[] intFromArg(Object[] a, int argNum) {
    int num = 0;
    boolean isInt = false;
    int next = argNum;
    if (argNum < a.length) {
      Object x = a[argNum];
      if (x instanceof Integer || x instanceof Long) {
        long n = ((Number) x).longValue();
        if (n == (int) n) {
          num = (int) n;
          isInt = true;
        }
      }
      next = argNum + 1;
      if (tooLarge(num)) {
        num = 0;
        isInt = false;
      }
    }
    return new int[] {num, isInt ? 1 : 0, next};
  }

  // ---- printing one operand

  private void printArg(Object a, int verb) {
    arg = a;
    if (a == null || a == Values.MISSING) {
      arg = null;
      if (verb == 'T' || verb == 'v') {
        padString("<nil>");
      } else {
        badVerb(verb);
      }
      return;
    }
    if (verb == 'T') {
      fmtS(Values.typeName(a));
      return;
    }
    if (verb == 'p') {
      badVerb(verb);
      return;
    }
    printValue(a, verb, 0);
  }

  private void printValue(Object v, int verb, int depth) {
    if (depth > 0) {
      arg = v; // a nested bad verb names the element, not the container
    }
    if (v == null || v == Values.MISSING) {
      buf.append(sharpV ? "interface {}(nil)" : "<nil>");
    } else if (v instanceof Boolean b) {
      fmtBool(b, verb);
    } else if (v instanceof Integer || v instanceof Long) {
      fmtInteger(((Number) v).longValue(), verb);
    } else if (v instanceof Double d) {
      fmtFloat(d, verb);
    } else if (v instanceof String s) {
      fmtString(s, verb);
    } else if (v instanceof GoTime t) {
      // time.Time is a Stringer: the verbs that take a string print String()
      switch (verb) {
        case 'v', 's', 'x', 'X', 'q' -> fmtString(t.toString(), sharpV ? 's' : verb);
        default -> badVerb(verb);
      }
    } else if (v instanceof Map<?, ?> m) {
      if (sharpV) {
        buf.append(Values.typeName(m)).append('{');
      } else {
        buf.append("map[");
      }
      boolean first = true;
      for (String k : Values.sortedKeys(m)) {
        if (!first) {
          buf.append(sharpV ? ", " : " ");
        }
        first = false;
        printValue(k, verb, depth + 1);
        buf.append(':');
        printValue(Values.entry(m, k), verb, depth + 1);
      }
      buf.append(sharpV ? '}' : ']');
    } else if (v instanceof List<?> l) {
      if (sharpV) {
        buf.append(Values.typeName(l)).append('{');
      } else {
        buf.append('[');
      }
      for (int i = 0; i < l.size(); i++) {
        if (i > 0) {
          buf.append(sharpV ? ", " : " ");
        }
        printValue(Values.element(l, i), verb, depth + 1);
      }
      buf.append(sharpV ? '}' : ']');
    } else {
      printValue(Values.fromData(v), verb, depth);
    }
  }

  private void badVerb(int verb) {
    buf.append("%!").appendCodePoint(verb).append('(');
    if (arg != null) {
      Object a = arg;
      buf.append(Values.typeName(a)).append('=');
      printArg(a, 'v');
    } else {
      buf.append("<nil>");
    }
    buf.append(')');
  }

  private void fmtBool(boolean b, int verb) {
    if (verb == 't' || verb == 'v') {
      padString(b ? "true" : "false");
    } else {
      badVerb(verb);
    }
  }

  private void fmtInteger(long v, int verb) {
    switch (verb) {
      case 'v', 'd' -> fmtInteger(v, 10, verb, false);
      case 'b' -> fmtInteger(v, 2, verb, false);
      case 'o', 'O' -> fmtInteger(v, 8, verb, false);
      case 'x' -> fmtInteger(v, 16, verb, false);
      case 'X' -> fmtInteger(v, 16, verb, true);
      case 'c' -> padString(new String(Character.toChars(validRune(v))));
      case 'q' -> padString(GoStrings.quoteRune(validRune(v), plus));
      case 'U' -> fmtUnicode(v);
      default -> badVerb(verb);
    }
  }

  private static int validRune(long v) {
    return v < 0 || v > Character.MAX_CODE_POINT || (v >= 0xD800 && v <= 0xDFFF) ? 0xFFFD : (int) v;
  }

  private void fmtInteger(long value, int base, int verb, boolean upper) {
    boolean negative = value < 0;
    long u = negative ? -value : value; // Long.MIN_VALUE stays itself and prints unsigned below
    int precision = 0;
    if (precPresent) {
      precision = prec;
      if (precision == 0 && u == 0) {
        boolean oldZero = zero;
        zero = false;
        writePadding(wid);
        zero = oldZero;
        return;
      }
    } else if (zero && widPresent) {
      precision = wid;
      if (negative || plus || space) {
        precision--; // room for the sign
      }
    }
    String num = Long.toUnsignedString(u, base);
    if (upper) {
      num = num.toUpperCase();
    }
    StringBuilder s = new StringBuilder();
    for (int k = num.length(); k < precision; k++) {
      s.append('0');
    }
    s.append(num);
    if (sharp) {
      switch (base) {
        case 2 -> s.insert(0, "0b");
        case 8 -> {
          if (s.charAt(0) != '0') {
            s.insert(0, '0');
          }
        }
        case 16 -> s.insert(0, upper ? "0X" : "0x");
        default -> {
        }
      }
    }
    if (verb == 'O') {
      s.insert(0, "0o");
    }
    if (negative) {
      s.insert(0, '-');
    } else if (plus) {
      s.insert(0, '+');
    } else if (space) {
      s.insert(0, ' ');
    }
    boolean oldZero = zero;
    zero = false; // zero padding was done as precision above
    padString(s.toString());
    zero = oldZero;
  }

  private void fmtUnicode(long u) {
    StringBuilder s = new StringBuilder("U+");
    String hex = Long.toHexString(u).toUpperCase();
    int min = precPresent && prec > 4 ? prec : 4;
    for (int k = hex.length(); k < min; k++) {
      s.append('0');
    }
    s.append(hex);
    if (sharp && u >= 0 && u <= Character.MAX_CODE_POINT && GoStrings.isPrint((int) u)) {
      s.append(" '").appendCodePoint((int) u).append('\'');
    }
    boolean oldZero = zero;
    zero = false;
    padString(s.toString());
    zero = oldZero;
  }

  private void fmtFloat(double v, int verb) {
    switch (verb) {
      case 'v' -> fmtFloat(v, 'g', -1);
      case 'b', 'g', 'G', 'x', 'X' -> fmtFloat(v, verb, -1);
      case 'f', 'e', 'E', 'F' -> fmtFloat(v, verb, 6);
      default -> badVerb(verb);
    }
  }

  private void fmtFloat(double v, int verb, int precision) {
    if (precPresent) {
      precision = prec;
    }
    StringBuilder num = new StringBuilder(24);
    boolean neg = GoFloat.negative(v);
    if (Double.isNaN(v)) {
      num.append("+NaN");
    } else if (Double.isInfinite(v)) {
      num.append(v > 0 ? "+Inf" : "-Inf");
    } else {
      double abs = Math.abs(v);
      switch (verb) {
        case 'e', 'E' -> GoFloat.fmtE(num.append(neg ? "" : "+"), neg, GoFloat.significant(abs, precision + 1),
          precision, (char) verb);
        case 'f', 'F' -> GoFloat.fmtF(num.append(neg ? "" : "+"), neg, GoFloat.fixed(abs, precision), precision);
        case 'g', 'G' -> GoFloat.fmtG(num.append(neg ? "" : "+"), neg, abs, precision, (char) verb);
        case 'x', 'X' -> {
          String h = GoFloat.hex(v, verb == 'X');
          num.append(h.startsWith("-") ? h : "+" + h);
        }
        default -> {
          String b = GoFloat.binary(v);
          num.append(b.startsWith("-") ? b : "+" + b);
        }
      }
    }
    if (space && num.charAt(0) == '+' && !plus) {
      num.setCharAt(0, ' ');
    }
    if (num.charAt(1) == 'I' || num.charAt(1) == 'N') {
      boolean oldZero = zero;
      zero = false;
      if (num.charAt(1) == 'N' && !space && !plus) {
        num.deleteCharAt(0);
      }
      padString(num.toString());
      zero = oldZero;
      return;
    }
    if (plus || num.charAt(0) != '+') {
      // zero padding goes between the sign and the digits
      if (zero && widPresent && wid > num.length()) {
        buf.append(num.charAt(0));
        writePadding(wid - num.length());
        buf.append(num, 1, num.length());
        return;
      }
      padString(num.toString());
      return;
    }
    padString(num.substring(1));
  }

  private void fmtString(String s, int verb) {
    switch (verb) {
      case 'v' -> {
        if (sharpV) {
          fmtQ(s);
        } else {
          fmtS(s);
        }
      }
      case 's' -> fmtS(s);
      case 'x' -> fmtSx(s, false);
      case 'X' -> fmtSx(s, true);
      case 'q' -> fmtQ(s);
      default -> badVerb(verb);
    }
  }

  private String truncate(String s) {
    if (precPresent && prec < s.codePointCount(0, s.length())) {
      return s.substring(0, s.offsetByCodePoints(0, prec));
    }
    return s;
  }

  private void fmtS(String s) {
    padString(truncate(s));
  }

  private void fmtQ(String s) {
    s = truncate(s);
    if (sharp && GoStrings.canBackquote(s)) {
      padString("`" + s + "`");
    } else {
      padString(GoStrings.quote(s, plus));
    }
  }

  private void fmtSx(String s, boolean upper) {
    String digits = upper ? GoStrings.UPPER_HEX : GoStrings.LOWER_HEX;
    byte[] b = GoStrings.bytes(s);
    int length = b.length;
    if (precPresent && prec < length) {
      length = prec;
    }
    int width = 2 * length;
    if (width > 0) {
      if (space) {
        if (sharp) {
          width *= 2;
        }
        width += length - 1;
      } else if (sharp) {
        width += 2;
      }
    } else {
      if (widPresent) {
        writePadding(wid);
      }
      return;
    }
    if (widPresent && wid > width && !minus) {
      writePadding(wid - width);
    }
    if (sharp) {
      buf.append('0').append(upper ? 'X' : 'x');
    }
    for (int i = 0; i < length; i++) {
      if (space && i > 0) {
        buf.append(' ');
        if (sharp) {
          buf.append('0').append(upper ? 'X' : 'x');
        }
      }
      buf.append(digits.charAt((b[i] >> 4) & 0xF)).append(digits.charAt(b[i] & 0xF));
    }
    if (widPresent && wid > width && minus) {
      writePadding(wid - width);
    }
  }

  /** Pads to the width, counted in runes as Go does. */
  private void padString(String s) {
    if (!widPresent || wid == 0) {
      buf.append(s);
      return;
    }
    int width = wid - s.codePointCount(0, s.length());
    if (!minus) {
      writePadding(width);
      buf.append(s);
    } else {
      buf.append(s);
      writePadding(width);
    }
  }

  private void writePadding(int n) {
    char pad = zero && !minus ? '0' : ' ';
    for (int i = 0; i < n; i++) {
      buf.append(pad);
    }
  }
}
