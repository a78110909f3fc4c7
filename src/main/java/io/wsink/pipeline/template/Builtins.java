package io.wsink.pipeline.template;

import io.wsink.pipeline.template.Func.Arg;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * text/template's predefined functions with Go's rules and error texts. {@code slice} is not here: eKuiper installs
 * sprig's FuncMap, whose {@code slice} replaces Go's (see {@link Sprig}).
 */
final class Builtins {

  private Builtins() {
  }

  static void register(Map<String, Func> m) {
    m.put("and", builtin("and", Arg.VALUE, (c, a) -> a[0], Arg.VALUE)); // short-circuits in the evaluator
    m.put("or", builtin("or", Arg.VALUE, (c, a) -> a[0], Arg.VALUE));
    m.put("not", builtin("not", null, (c, a) -> !truth(a[0]), Arg.VALUE));
    m.put("len", builtin("len", null, (c, a) -> length(a[0]), Arg.VALUE));
    m.put("index", builtin("index", Arg.VALUE, (c, a) -> index(a), Arg.VALUE));
    m.put("print", builtin("print", Arg.ANY, (c, a) -> GoFmt.sprint(a)));
    m.put("println", builtin("println", Arg.ANY, (c, a) -> GoFmt.sprintln(a)));
    m.put("printf", builtin("printf", Arg.ANY, (c, a) -> GoFmt.sprintf((String) a[0], rest(a)), Arg.STRING));
    m.put("html", builtin("html", Arg.ANY, (c, a) -> html(evalArgs(a))));
    m.put("js", builtin("js", Arg.ANY, (c, a) -> js(evalArgs(a))));
    m.put("urlquery", builtin("urlquery", Arg.ANY,
      (c, a) -> URLEncoder.encode(evalArgs(a), StandardCharsets.UTF_8).replace("*", "%2A")
        .replace("%7E", "~")));
    m.put("call", builtin("call", Arg.VALUE, (c, a) -> call(a), Arg.VALUE));
    m.put("eq", builtin("eq", Arg.VALUE, (c, a) -> eq(a[0], rest(a)), Arg.VALUE));
    m.put("ne", builtin("ne", null, (c, a) -> !eq(a[0], new Object[] {a[1]}), Arg.VALUE, Arg.VALUE));
    m.put("lt", builtin("lt", null, (c, a) -> lt(a[0], a[1]), Arg.VALUE, Arg.VALUE));
    m.put("le", builtin("le", null, (c, a) -> lt(a[0], a[1]) || eq(a[0], new Object[] {a[1]}), Arg.VALUE,
      Arg.VALUE));
    m.put("gt", builtin("gt", null, (c, a) -> !(lt(a[0], a[1]) || eq(a[0], new Object[] {a[1]})), Arg.VALUE,
      Arg.VALUE));
    m.put("ge", builtin("ge", null, (c, a) -> !lt(a[0], a[1]), Arg.VALUE, Arg.VALUE));
  }

  private static Func builtin(String name, Arg variadic, Func.Body body, Arg... params) {
    return new Func(name, params, variadic, true, body);
  }

  static Object[] rest(Object[] a) {
    Object[] r = new Object[a.length - 1];
    System.arraycopy(a, 1, r, 0, r.length);
    return r;
  }

  /** indirectInterface: a nil interface is no value at all. */
  static Object indirect(Object v) {
    return v == null ? Values.MISSING : v;
  }

  static boolean truth(Object v) {
    return Values.isTrue(indirect(v));
  }

  private static Object length(Object item) {
    if (item == null) {
      throw new Func.Failure("len of nil pointer");
    }
    if (item == Values.MISSING) {
      // Go's length() asks reflect for the type of the zero Value, which panics with this text
      throw new Func.Failure("reflect: call of reflect.Value.Type on zero Value");
    }
    if (item instanceof String s) {
      return GoStrings.utf8Len(s);
    }
    if (item instanceof Map<?, ?> m) {
      return m.size();
    }
    if (item instanceof List<?> l) {
      return l.size();
    }
    throw new Func.Failure("len of type " + Values.typeName(item));
  }

  private static Object index(Object[] a) {
    Object item = indirect(a[0]);
    if (item == Values.MISSING) {
      throw new Func.Failure("index of untyped nil");
    }
    for (int k = 1; k < a.length; k++) {
      Object index = indirect(a[k]);
      if (item == null) {
        throw new Func.Failure("index of nil pointer");
      }
      if (item instanceof List<?> || item instanceof String) {
        boolean isString = item instanceof String;
        byte[] bytes = isString ? GoStrings.bytes((String) item) : null;
        int len = isString ? bytes.length : ((List<?>) item).size();
        long x;
        if (Values.isInt(index)) {
          x = ((Number) index).longValue();
        } else if (index == Values.MISSING) {
          throw new Func.Failure("cannot index slice/array with nil");
        } else {
          throw new Func.Failure("cannot index slice/array with type " + Values.typeName(index));
        }
        if (x < 0 || x > len) {
          throw new Func.Failure("index out of range: " + x);
        }
        if (x == len) {
          // Go's bound check lets len through and reflect then panics
          throw new Func.Failure(isString ? "reflect: string index out of range" : "reflect: slice index out of range");
        }
        item = isString ? (Object) (bytes[(int) x] & 0xFF) : Values.element((List<?>) item, (int) x);
      } else if (item instanceof Map<?, ?> m) {
        if (index == Values.MISSING) {
          throw new Func.Failure("value is nil; should be of type string");
        }
        if (!(index instanceof String key)) {
          throw new Func.Failure("value has type " + Values.typeName(index) + "; should be string");
        }
        Object v = Values.entry(m, key);
        item = v == Values.MISSING ? Values.zeroValue(m) : v;
      } else {
        throw new Func.Failure("can't index item of type " + Values.typeName(item));
      }
    }
    return item;
  }

  private static Object call(Object[] a) {
    // a[0] is the callee's source text, inserted by the evaluator as Go does; data holds no functions
    Object fn = indirect(a[1]);
    if (fn == Values.MISSING) {
      throw new Func.Failure("call of nil");
    }
    throw new Func.Failure("non-function " + a[0] + " of type " + Values.typeName(fn));
  }

  // ---- comparison

  private enum Kind { INVALID, BOOL, INT, FLOAT, STRING }

  private static Kind basicKind(Object v) {
    if (v instanceof Boolean) {
      return Kind.BOOL;
    }
    if (Values.isInt(v)) {
      return Kind.INT;
    }
    if (v instanceof Double) {
      return Kind.FLOAT;
    }
    if (v instanceof String) {
      return Kind.STRING;
    }
    return Kind.INVALID;
  }

  /** reflect.Kind, for the nil-comparison rules of eq. */
  private static String reflectKind(Object v) {
    return v == Values.MISSING ? "invalid" : Values.kindName(v);
  }

  /**
   * eq arg1 arg2...: true when arg1 equals any of the others. Basic kinds must match (Go ≤ 1.24 wording
   * "incompatible types for comparison"); a missing value equals only another missing value.
   */
  static boolean eq(Object arg1, Object[] others) {
    Object a = indirect(arg1);
    if (others.length == 0) {
      throw new Func.Failure("missing argument for comparison");
    }
    Kind k1 = basicKind(a);
    for (Object o : others) {
      Object b = indirect(o);
      Kind k2 = basicKind(b);
      boolean truth = false;
      if (k1 != k2) {
        if (a != Values.MISSING && b != Values.MISSING) {
          throw new Func.Failure("incompatible types for comparison");
        }
      } else {
        switch (k1) {
          case BOOL, STRING -> truth = a.equals(b);
          case INT -> truth = ((Number) a).longValue() == ((Number) b).longValue();
          case FLOAT -> truth = (double) a == (double) b;
          default -> {
            String ka = reflectKind(a);
            String kb = reflectKind(b);
            if (!ka.equals(kb) && !ka.equals("invalid") && !kb.equals("invalid")) {
              throw new Func.Failure("non-comparable types " + GoFmt.sprintf("%s", new Object[] {a}) + ": "
                + Values.typeName(a) + ", " + Values.typeName(b) + ": " + GoFmt.v(b));
            }
            if (a == Values.MISSING || b == Values.MISSING) {
              truth = a == b;
            } else if (b instanceof Map || b instanceof List) {
              throw new Func.Failure("non-comparable type " + GoFmt.sprintf("%s", new Object[] {b}) + ": "
                + Values.typeName(b));
            } else {
              truth = a.equals(b);
            }
          }
        }
      }
      if (truth) {
        return true;
      }
    }
    return false;
  }

  static boolean lt(Object arg1, Object arg2) {
    Object a = indirect(arg1);
    Kind k1 = basicKind(a);
    if (k1 == Kind.INVALID) {
      throw new Func.Failure("invalid type for comparison");
    }
    Object b = indirect(arg2);
    Kind k2 = basicKind(b);
    if (k2 == Kind.INVALID) {
      throw new Func.Failure("invalid type for comparison");
    }
    if (k1 != k2) {
      throw new Func.Failure("incompatible types for comparison");
    }
    return switch (k1) {
      case FLOAT -> (double) a < (double) b;
      case INT -> ((Number) a).longValue() < ((Number) b).longValue();
      case STRING -> GoStrings.compare((String) a, (String) b) < 0;
      default -> throw new Func.Failure("invalid type for comparison");
    };
  }

  // ---- escapers

  /** evalArgs: the text of the arguments, a lone string as is, a missing value as "<no value>". */
  private static String evalArgs(Object[] a) {
    if (a.length == 1 && a[0] instanceof String s) {
      return s;
    }
    Object[] printable = new Object[a.length];
    for (int i = 0; i < a.length; i++) {
      printable[i] = a[i] == null || a[i] == Values.MISSING ? "<no value>" : a[i];
    }
    return GoFmt.sprint(printable);
  }

  private static String html(String s) {
    StringBuilder sb = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case 0 -> sb.append('\uFFFD');
        case '"' -> sb.append("&#34;");
        case '\'' -> sb.append("&#39;");
        case '&' -> sb.append("&amp;");
        case '<' -> sb.append("&lt;");
        case '>' -> sb.append("&gt;");
        default -> sb.append(c);
      }
    }
    return sb.toString();
  }

  private static String js(String s) {
    StringBuilder sb = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); ) {
      int r = s.codePointAt(i);
      i += Character.charCount(r);
      switch (r) {
        case '\\' -> sb.append("\\\\");
        case '\'' -> sb.append("\\'");
        case '"' -> sb.append("\\\"");
        case '<' -> sb.append("\\u003C");
        case '>' -> sb.append("\\u003E");
        case '&' -> sb.append("\\u0026");
        case '=' -> sb.append("\\u003D");
        default -> {
          if (r < ' ') {
            sb.append("\\u00").append(GoStrings.UPPER_HEX.charAt(r >> 4)).append(GoStrings.UPPER_HEX.charAt(r & 0xF));
          } else if (r < 0x80 || GoStrings.isPrint(r)) {
            sb.appendCodePoint(r);
          } else {
            sb.append(String.format("\\u%04X", r));
          }
        }
      }
    }
    return sb.toString();
  }
}
