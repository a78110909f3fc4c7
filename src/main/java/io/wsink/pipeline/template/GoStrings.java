package io.wsink.pipeline.template;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Go's string semantics that Java does not share: strconv quoting, UTF-8 byte lengths, Unicode classes as Go's
 * {@code unicode} package defines them, and the {@code strings} functions whose edge cases differ from Java's.
 */
final class GoStrings {

  private GoStrings() {
  }

  static final String LOWER_HEX = "0123456789abcdef";
  static final String UPPER_HEX = "0123456789ABCDEF";

  /** UTF-8 length of {@code s[from, to)}: Go measures strings, columns and {@code len} in bytes. */
  static int utf8Len(CharSequence s, int from, int to) {
    int n = 0;
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        n++;
      } else if (c < 0x800) {
        n += 2;
      } else if (Character.isHighSurrogate(c) && i + 1 < to && Character.isLowSurrogate(s.charAt(i + 1))) {
        n += 4;
        i++;
      } else {
        n += 3; // BMP char, or a lone surrogate (which Go would see as the 3-byte U+FFFD)
      }
    }
    return n;
  }

  static int utf8Len(CharSequence s) {
    return utf8Len(s, 0, s.length());
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** Compares as Go does (bytewise UTF-8, i.e. by code point), not by UTF-16 unit as {@link String#compareTo}. */
  static int compare(String a, String b) {
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

  /** unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space. */
  static boolean isPrint(int r) {
    if (r == ' ') {
      return true;
    }
    if (r < 0 || r > Character.MAX_CODE_POINT) {
      return false;
    }
    switch (Character.getType(r)) {
      case Character.UPPERCASE_LETTER, Character.LOWERCASE_LETTER, Character.TITLECASE_LETTER,
        Character.MODIFIER_LETTER, Character.OTHER_LETTER,
        Character.NON_SPACING_MARK, Character.ENCLOSING_MARK, Character.COMBINING_SPACING_MARK,
        Character.DECIMAL_DIGIT_NUMBER, Character.LETTER_NUMBER, Character.OTHER_NUMBER,
        Character.CONNECTOR_PUNCTUATION, Character.DASH_PUNCTUATION, Character.START_PUNCTUATION,
        Character.END_PUNCTUATION, Character.INITIAL_QUOTE_PUNCTUATION, Character.FINAL_QUOTE_PUNCTUATION,
        Character.OTHER_PUNCTUATION, Character.MATH_SYMBOL, Character.CURRENCY_SYMBOL,
        Character.MODIFIER_SYMBOL, Character.OTHER_SYMBOL:
        return true;
      default:
        return false;
    }
  }

  /** unicode.IsSpace (Java's isWhitespace misses U+0085 and U+00A0 and includes separators Go does not). */
  static boolean isSpace(int r) {
    switch (r) {
      case '\t', '\n', 0x0B, '\f', '\r', ' ', 0x85, 0xA0, 0x1680, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000:
        return true;
      default:
        return r >= 0x2000 && r <= 0x200A;
    }
  }

  /** strconv.Quote ({@code asciiOnly}: QuoteToASCII). */
  static String quote(String s, boolean asciiOnly) {
    StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); ) {
      int r = s.codePointAt(i);
      i += Character.charCount(r);
      if (Character.isSurrogate((char) r) && r <= 0xFFFF) {
        r = 0xFFFD; // a lone surrogate is not a rune; Go would have seen invalid UTF-8
      }
      appendEscapedRune(sb, r, '"', asciiOnly);
    }
    return sb.append('"').toString();
  }

  static String quote(String s) {
    return quote(s, false);
  }

  /** strconv.QuoteRune: {@code 'x'} with Go escapes. */
  static String quoteRune(int r, boolean asciiOnly) {
    if (r < 0 || r > Character.MAX_CODE_POINT || (r >= 0xD800 && r <= 0xDFFF)) {
      r = 0xFFFD;
    }
    StringBuilder sb = new StringBuilder("'");
    appendEscapedRune(sb, r, '\'', asciiOnly);
    return sb.append('\'').toString();
  }

  private static void appendEscapedRune(StringBuilder sb, int r, char quote, boolean asciiOnly) {
    if (r == quote || r == '\\') {
      sb.append('\\').appendCodePoint(r);
      return;
    }
    if (asciiOnly ? (r < 0x80 && isPrint(r)) : isPrint(r)) {
      sb.appendCodePoint(r);
      return;
    }
    switch (r) {
      case 7 -> sb.append("\\a");
      case '\b' -> sb.append("\\b");
      case '\f' -> sb.append("\\f");
      case '\n' -> sb.append("\\n");
      case '\r' -> sb.append("\\r");
      case '\t' -> sb.append("\\t");
      case 0x0B -> sb.append("\\v");
      default -> {
        if (r < ' ' || r == 0x7F) {
          sb.append("\\x").append(LOWER_HEX.charAt(r >> 4)).append(LOWER_HEX.charAt(r & 0xF));
        } else if (r < 0x10000) {
          sb.append("\\u");
          hex(sb, r, 4);
        } else {
          sb.append("\\U");
          hex(sb, r, 8);
        }
      }
    }
  }

  private static void hex(StringBuilder sb, int v, int digits) {
    for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4) {
      sb.append(LOWER_HEX.charAt((v >> shift) & 0xF));
    }
  }

  /** strconv.CanBackquote. */
  static boolean canBackquote(String s) {
    for (int i = 0; i < s.length(); ) {
      int r = s.codePointAt(i);
      i += Character.charCount(r);
      if (r == '`' || r == 0xFEFF || (r < ' ' && r != '\t') || r == 0x7F || Character.isSurrogate((char) r)) {
        return false;
      }
    }
    return true;
  }

  /** The failure of strconv.Unquote and UnquoteChar; Go's text is always "invalid syntax". */
  static final class SyntaxError extends Exception {
    SyntaxError() {
      super("invalid syntax", null, false, false);
    }
  }

  /** strconv.Unquote for the two string literal forms a template may hold. */
  static String unquote(String s) throws SyntaxError {
    int n = s.length();
    if (n < 2 || s.charAt(0) != s.charAt(n - 1)) {
      throw new SyntaxError();
    }
    char q = s.charAt(0);
    String body = s.substring(1, n - 1);
    if (q == '`') {
      if (body.indexOf('`') >= 0) {
        throw new SyntaxError();
      }
      return body.replace("\r", ""); // Go drops carriage returns from raw strings
    }
    if (q != '"' || body.indexOf('\n') >= 0) {
      throw new SyntaxError();
    }
    if (body.indexOf('\\') < 0 && body.indexOf('"') < 0) {
      return body;
    }
    // \x and octal escapes are bytes: collect everything as UTF-8 and decode once
    ByteArrayOutputStream out = new ByteArrayOutputStream(body.length());
    int[] next = new int[1];
    for (int i = 0; i < body.length(); ) {
      char c = body.charAt(i);
      if (c == '"') {
        throw new SyntaxError();
      }
      if (c != '\\') {
        int r = body.codePointAt(i);
        i += Character.charCount(r);
        out.writeBytes(new String(Character.toChars(r)).getBytes(StandardCharsets.UTF_8));
        continue;
      }
      long v = unquoteEscape(body, i, '"', next);
      i = next[0];
      if (v < 0) {
        out.write((int) (-v - 1)); // a raw byte
      } else {
        out.writeBytes(new String(Character.toChars((int) v)).getBytes(StandardCharsets.UTF_8));
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  /**
   * Decodes the escape at {@code s[i]} (a backslash). Returns the rune, or {@code -(byte+1)} for a \x or octal byte;
   * {@code next[0]} receives the index after the escape.
   */
  static long unquoteEscape(String s, int i, char quote, int[] next) throws SyntaxError {
    if (i + 1 >= s.length()) {
      throw new SyntaxError();
    }
    char c = s.charAt(i + 1);
    i += 2;
    long value;
    switch (c) {
      case 'a' -> value = 7;
      case 'b' -> value = '\b';
      case 'f' -> value = '\f';
      case 'n' -> value = '\n';
      case 'r' -> value = '\r';
      case 't' -> value = '\t';
      case 'v' -> value = 0x0B;
      case '\\' -> value = '\\';
      case '\'', '"' -> {
        if (c != quote) {
          throw new SyntaxError();
        }
        value = c;
      }
      case 'x', 'u', 'U' -> {
        int len = c == 'x' ? 2 : c == 'u' ? 4 : 8;
        if (i + len > s.length()) {
          throw new SyntaxError();
        }
        int v = 0;
        for (int k = 0; k < len; k++) {
          int d = Character.digit(s.charAt(i + k), 16);
          if (d < 0) {
            throw new SyntaxError();
          }
          v = (v << 4) | d;
        }
        i += len;
        if (c == 'x') {
          value = quote == '\'' ? v : -(v + 1L);
        } else {
          if (v < 0 || v > Character.MAX_CODE_POINT || (v >= 0xD800 && v <= 0xDFFF)) {
            throw new SyntaxError();
          }
          value = v;
        }
      }
      case '0', '1', '2', '3', '4', '5', '6', '7' -> {
        if (i + 2 > s.length()) {
          throw new SyntaxError();
        }
        int v = c - '0';
        for (int k = 0; k < 2; k++) {
          int d = s.charAt(i + k) - '0';
          if (d < 0 || d > 7) {
            throw new SyntaxError();
          }
          v = (v << 3) | d;
        }
        if (v > 255) {
          throw new SyntaxError();
        }
        i += 2;
        value = quote == '\'' ? v : -(v + 1L);
      }
      default -> throw new SyntaxError();
    }
    next[0] = i;
    return value;
  }

  /** The rune of a character constant such as {@code 'a'}, {@code '\n'} or {@code '\u00e9'}. */
  static int unquoteChar(String text) throws SyntaxError, MalformedChar {
    // text includes both quotes; the lexer guarantees the closing one
    String body = text.substring(1);
    int r;
    int next;
    if (body.isEmpty()) {
      throw new SyntaxError();
    }
    char c = body.charAt(0);
    if (c == '\\') {
      int[] n = new int[1];
      r = (int) unquoteEscape(body, 0, '\'', n);
      next = n[0];
    } else if (c == '\'' || c == '\n') {
      throw new SyntaxError();
    } else {
      r = body.codePointAt(0);
      next = Character.charCount(r);
    }
    if (!body.substring(next).equals("'")) {
      throw new MalformedChar();
    }
    return r;
  }

  /** A character constant with more than one rune: Go's "malformed character constant". */
  static final class MalformedChar extends Exception {
    MalformedChar() {
      super(null, null, false, false);
    }
  }

  /** strings.TrimSpace. */
  static String trimSpace(String s) {
    int start = 0;
    int end = s.length();
    while (start < end) {
      int r = s.codePointAt(start);
      if (!isSpace(r)) {
        break;
      }
      start += Character.charCount(r);
    }
    while (end > start) {
      int r = s.codePointBefore(end);
      if (!isSpace(r)) {
        break;
      }
      end -= Character.charCount(r);
    }
    return s.substring(start, end);
  }

  /** strings.Trim: drops leading and trailing runes found in {@code cutset}. */
  static String trim(String s, String cutset) {
    int start = 0;
    int end = s.length();
    while (start < end) {
      int r = s.codePointAt(start);
      if (cutset.indexOf(r) < 0) {
        break;
      }
      start += Character.charCount(r);
    }
    while (end > start) {
      int r = s.codePointBefore(end);
      if (cutset.indexOf(r) < 0) {
        break;
      }
      end -= Character.charCount(r);
    }
    return s.substring(start, end);
  }

  /** strings.ToUpper / ToLower map rune by rune (Java's String methods expand ß to SS). */
  static String mapCase(String s, boolean upper) {
    StringBuilder sb = new StringBuilder(s.length());
    s.codePoints().forEach(r -> sb.appendCodePoint(upper ? Character.toUpperCase(r) : Character.toLowerCase(r)));
    return sb.toString();
  }

  /** strings.Title: title-cases the first letter of each word. */
  static String title(String s) {
    StringBuilder sb = new StringBuilder(s.length());
    int prev = ' ';
    for (int i = 0; i < s.length(); ) {
      int r = s.codePointAt(i);
      i += Character.charCount(r);
      sb.appendCodePoint(isSeparator(prev) ? Character.toTitleCase(r) : r);
      prev = r;
    }
    return sb.toString();
  }

  private static boolean isSeparator(int r) {
    if (r <= 0x7F) {
      return !(('0' <= r && r <= '9') || ('a' <= r && r <= 'z') || ('A' <= r && r <= 'Z') || r == '_');
    }
    if (Character.isLetter(r) || Character.isDigit(r)) {
      return false;
    }
    return isSpace(r);
  }

  /** strings.Replace(s, old, new, -1); an empty {@code old} inserts {@code neu} around every rune, as Go does. */
  static String replaceAll(String s, String old, String neu) {
    if (!old.isEmpty()) {
      return s.replace(old, neu);
    }
    StringBuilder sb = new StringBuilder().append(neu);
    for (int i = 0; i < s.length(); ) {
      int r = s.codePointAt(i);
      i += Character.charCount(r);
      sb.appendCodePoint(r).append(neu);
    }
    return sb.toString();
  }

  /** strings.Split; an empty separator splits into runes. */
  static java.util.List<String> split(String s, String sep) {
    java.util.List<String> parts = new java.util.ArrayList<>();
    if (sep.isEmpty()) {
      s.codePoints().forEach(r -> parts.add(new String(Character.toChars(r))));
      return parts;
    }
    int from = 0;
    while (true) {
      int at = s.indexOf(sep, from);
      if (at < 0) {
        parts.add(s.substring(from));
        return parts;
      }
      parts.add(s.substring(from, at));
      from = at + sep.length();
    }
  }

  /** The result of a Go base64 decode: the bytes before the error, and the error text or null. */
  record Decoded(byte[] data, String error) {
  }

  /** base64.StdEncoding.DecodeString: padding required, CR/LF ignored, error offsets as Go reports them. */
  static Decoded base64Decode(String text) {
    byte[] src = text.getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream out = new ByteArrayOutputStream(src.length * 3 / 4);
    int si = 0;
    while (true) {
      int[] dbuf = new int[4];
      int dlen = 4;
      String err = null;
      quantum:
      for (int j = 0; j < 4; j++) {
        if (si == src.length) {
          if (j == 0) {
            return new Decoded(out.toByteArray(), null);
          }
          return new Decoded(out.toByteArray(), corrupt(si - j));
        }
        int in = src[si] & 0xFF;
        si++;
        int v = decodeChar(in);
        if (v >= 0) {
          dbuf[j] = v;
          continue;
        }
        if (in == '\n' || in == '\r') {
          j--;
          continue;
        }
        if (in != '=') {
          return new Decoded(out.toByteArray(), corrupt(si - 1));
        }
        switch (j) {
          case 0, 1 -> {
            return new Decoded(out.toByteArray(), corrupt(si - 1));
          }
          case 2 -> {
            while (si < src.length && (src[si] == '\n' || src[si] == '\r')) {
              si++;
            }
            if (si == src.length) {
              return new Decoded(out.toByteArray(), corrupt(src.length));
            }
            if (src[si] != '=') {
              return new Decoded(out.toByteArray(), corrupt(si - 1));
            }
            si++;
          }
          default -> {
          }
        }
        while (si < src.length && (src[si] == '\n' || src[si] == '\r')) {
          si++;
        }
        if (si < src.length) {
          err = corrupt(si);
        }
        dlen = j;
        break quantum;
      }
      int val = dbuf[0] << 18 | dbuf[1] << 12 | dbuf[2] << 6 | dbuf[3];
      if (dlen >= 2) {
        out.write(val >> 16);
      }
      if (dlen >= 3) {
        out.write(val >> 8);
      }
      if (dlen == 4) {
        out.write(val);
      }
      if (err != null) {
        return new Decoded(out.toByteArray(), err);
      }
      if (dlen < 4) {
        return new Decoded(out.toByteArray(), null);
      }
    }
  }

  private static int decodeChar(int c) {
    if (c >= 'A' && c <= 'Z') {
      return c - 'A';
    }
    if (c >= 'a' && c <= 'z') {
      return c - 'a' + 26;
    }
    if (c >= '0' && c <= '9') {
      return c - '0' + 52;
    }
    return c == '+' ? 62 : c == '/' ? 63 : -1;
  }

  private static String corrupt(int offset) {
    return "illegal base64 data at input byte " + offset;
  }
}
