package io.wsink.pipeline.template;

import io.wsink.pipeline.template.Func.Arg;
import io.wsink.pipeline.template.Values.GoList;
import io.wsink.pipeline.template.Values.GoMap;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * The sprig v3 functions wsink implements, plus eKuiper's {@code json} (sprig's toJson) and {@code base64}. Semantics
 * follow sprig's source: the integer math goes through cast.ToInt64 ({@code add 1 2.5} = 3), {@code round} rounds
 * half away from zero only for positive values, {@code b64dec} returns the decoding error as its text.
 */
final class Sprig {

  private Sprig() {
  }

  static void register(Map<String, Func> m) {
    // JSON
    m.put("toJson", Func.of("toJson", (c, a) -> toJson(a[0]), Arg.ANY));
    m.put("json", Func.of("json", (c, a) -> toJson(a[0]), Arg.ANY)); // eKuiper: conf.FuncMap["json"] = toJson
    m.put("toPrettyJson", Func.of("toPrettyJson", (c, a) -> {
      try {
        return GoJson.marshalIndent(a[0]);
      } catch (GoJson.Unsupported e) {
        return "";
      }
    }, Arg.ANY));
    m.put("toRawJson", Func.of("toRawJson", (c, a) -> {
      try {
        return GoJson.marshal(a[0], false);
      } catch (GoJson.Unsupported e) {
        return "";
      }
    }, Arg.ANY));
    m.put("base64", Func.of("base64", (c, a) -> ekuiperBase64(a[0]), Arg.ANY));

    // integer math (int64 results)
    m.put("add", Func.variadic("add", (c, a) -> {
      long sum = 0;
      for (Object x : a) {
        sum += GoNumbers.toInt64(x);
      }
      return sum;
    }, Arg.ANY));
    m.put("add1", Func.of("add1", (c, a) -> GoNumbers.toInt64(a[0]) + 1, Arg.ANY));
    m.put("sub", Func.of("sub", (c, a) -> GoNumbers.toInt64(a[0]) - GoNumbers.toInt64(a[1]), Arg.ANY, Arg.ANY));
    m.put("mul", Func.variadic("mul", (c, a) -> {
      long product = GoNumbers.toInt64(a[0]);
      for (int i = 1; i < a.length; i++) {
        product *= GoNumbers.toInt64(a[i]);
      }
      return product;
    }, Arg.ANY, Arg.ANY));
    m.put("div", Func.of("div", (c, a) -> GoNumbers.toInt64(a[0]) / divisor(a[1]), Arg.ANY, Arg.ANY));
    m.put("mod", Func.of("mod", (c, a) -> GoNumbers.toInt64(a[0]) % divisor(a[1]), Arg.ANY, Arg.ANY));
    m.put("max", Func.variadic("max", (c, a) -> {
      long best = GoNumbers.toInt64(a[0]);
      for (int i = 1; i < a.length; i++) {
        best = Math.max(best, GoNumbers.toInt64(a[i]));
      }
      return best;
    }, Arg.ANY, Arg.ANY));
    m.put("min", Func.variadic("min", (c, a) -> {
      long best = GoNumbers.toInt64(a[0]);
      for (int i = 1; i < a.length; i++) {
        best = Math.min(best, GoNumbers.toInt64(a[i]));
      }
      return best;
    }, Arg.ANY, Arg.ANY));
    m.put("abs", Func.of("abs", (c, a) -> Math.abs(GoNumbers.toInt64(a[0])), Arg.ANY));

    // float math (float64 results)
    m.put("floor", Func.of("floor", (c, a) -> Math.floor(GoNumbers.toFloat64(a[0])), Arg.ANY));
    m.put("ceil", Func.of("ceil", (c, a) -> Math.ceil(GoNumbers.toFloat64(a[0])), Arg.ANY));
    m.put("round", Func.variadic("round", (c, a) -> round(a), Arg.FLOAT64, Arg.ANY, Arg.INT));

    // conversion
    m.put("int", Func.of("int", (c, a) -> Values.goInt(GoNumbers.toInt64(a[0])), Arg.ANY));
    m.put("int64", Func.of("int64", (c, a) -> GoNumbers.toInt64(a[0]), Arg.ANY));
    m.put("float64", Func.of("float64", (c, a) -> GoNumbers.toFloat64(a[0]), Arg.ANY));
    m.put("toString", Func.of("toString", (c, a) -> strval(a[0]), Arg.ANY));
    m.put("atoi", Func.of("atoi", (c, a) -> {
      Long v = GoNumbers.parseInt64((String) a[0]);
      return Values.goInt(v == null ? 0 : v);
    }, Arg.STRING));

    // strings (note sprig's argument order: the subject comes last, so that "x" | f works)
    m.put("b64enc", Func.of("b64enc", (c, a) -> Base64.getEncoder().encodeToString(GoStrings.bytes((String) a[0])),
      Arg.STRING));
    m.put("b64dec", Func.of("b64dec", (c, a) -> {
      GoStrings.Decoded d = GoStrings.base64Decode((String) a[0]);
      return d.error() != null ? d.error() : new String(d.data(), StandardCharsets.UTF_8);
    }, Arg.STRING));
    m.put("upper", Func.of("upper", (c, a) -> GoStrings.mapCase((String) a[0], true), Arg.STRING));
    m.put("lower", Func.of("lower", (c, a) -> GoStrings.mapCase((String) a[0], false), Arg.STRING));
    m.put("title", Func.of("title", (c, a) -> GoStrings.title((String) a[0]), Arg.STRING));
    m.put("trim", Func.of("trim", (c, a) -> GoStrings.trimSpace((String) a[0]), Arg.STRING));
    m.put("nospace", Func.of("nospace", (c, a) -> {
      StringBuilder sb = new StringBuilder();
      ((String) a[0]).codePoints().filter(r -> !GoStrings.isSpace(r)).forEach(sb::appendCodePoint);
      return sb.toString();
    }, Arg.STRING));
    m.put("trimAll", Func.of("trimAll", (c, a) -> GoStrings.trim((String) a[1], (String) a[0]), Arg.STRING,
      Arg.STRING));
    m.put("trimPrefix", Func.of("trimPrefix", (c, a) -> {
      String s = (String) a[1];
      return s.startsWith((String) a[0]) ? s.substring(((String) a[0]).length()) : s;
    }, Arg.STRING, Arg.STRING));
    m.put("trimSuffix", Func.of("trimSuffix", (c, a) -> {
      String s = (String) a[1];
      return s.endsWith((String) a[0]) ? s.substring(0, s.length() - ((String) a[0]).length()) : s;
    }, Arg.STRING, Arg.STRING));
    m.put("replace", Func.of("replace", (c, a) -> GoStrings.replaceAll((String) a[2], (String) a[0], (String) a[1]),
      Arg.STRING, Arg.STRING, Arg.STRING));
    m.put("contains", Func.of("contains", (c, a) -> ((String) a[1]).contains((String) a[0]), Arg.STRING,
      Arg.STRING));
    m.put("hasPrefix", Func.of("hasPrefix", (c, a) -> ((String) a[1]).startsWith((String) a[0]), Arg.STRING,
      Arg.STRING));
    m.put("hasSuffix", Func.of("hasSuffix", (c, a) -> ((String) a[1]).endsWith((String) a[0]), Arg.STRING,
      Arg.STRING));
    m.put("repeat", Func.of("repeat", (c, a) -> {
      long n = ((Number) a[0]).longValue();
      if (n < 0) {
        throw new Func.Failure("strings: negative Repeat count");
      }
      return ((String) a[1]).repeat((int) n);
    }, Arg.INT, Arg.STRING));
    m.put("quote", Func.variadic("quote", (c, a) -> quote(a, true), Arg.ANY));
    m.put("squote", Func.variadic("squote", (c, a) -> quote(a, false), Arg.ANY));
    m.put("cat", Func.variadic("cat", (c, a) -> {
      List<Object> kept = new ArrayList<>(a.length);
      for (Object x : a) {
        if (x != null) {
          kept.add(x);
        }
      }
      return GoFmt.sprintf(String.join(" ", Collections.nCopies(kept.size(), "%v")), kept.toArray());
    }, Arg.ANY));
    m.put("join", Func.of("join", (c, a) -> String.join((String) a[0], strslice(a[1])), Arg.STRING, Arg.ANY));
    m.put("split", Func.of("split", (c, a) -> {
      List<String> parts = GoStrings.split((String) a[1], (String) a[0]);
      GoMap result = new GoMap("string");
      for (int i = 0; i < parts.size(); i++) {
        result.put("_" + i, parts.get(i));
      }
      return result;
    }, Arg.STRING, Arg.STRING));
    m.put("splitList", Func.of("splitList", (c, a) ->
      new GoList("string", GoStrings.split((String) a[1], (String) a[0]), false), Arg.STRING, Arg.STRING));

    // defaults and flow
    m.put("default", Func.variadic("default", (c, a) -> a.length < 2 || empty(a[1]) ? a[0] : a[1], Arg.ANY,
      Arg.ANY));
    m.put("empty", Func.of("empty", (c, a) -> empty(a[0]), Arg.ANY));
    m.put("coalesce", Func.variadic("coalesce", (c, a) -> {
      for (Object x : a) {
        if (!empty(x)) {
          return x;
        }
      }
      return null;
    }, Arg.ANY));
    m.put("ternary", Func.of("ternary", (c, a) -> (Boolean) a[2] ? a[0] : a[1], Arg.ANY, Arg.ANY, Arg.BOOL));

    // lists and dicts
    m.put("list", Func.variadic("list", (c, a) -> new GoList("interface {}", new ArrayList<>(Arrays.asList(a)), false),
      Arg.ANY));
    m.put("dict", Func.variadic("dict", (c, a) -> {
      GoMap d = new GoMap("interface {}");
      for (int i = 0; i < a.length; i += 2) {
        d.put(strval(a[i]), i + 1 < a.length ? a[i + 1] : "");
      }
      return d;
    }, Arg.ANY));
    m.put("get", Func.of("get", (c, a) -> {
      Object v = Values.entry((Map<?, ?>) a[0], (String) a[1]);
      return v == Values.MISSING ? "" : v;
    }, Arg.MAP, Arg.STRING));
    m.put("hasKey", Func.of("hasKey", (c, a) -> ((Map<?, ?>) a[0]).containsKey(a[1]), Arg.MAP, Arg.STRING));
    m.put("keys", Func.variadic("keys", (c, a) -> {
      List<String> keys = new ArrayList<>();
      for (Object d : a) {
        keys.addAll(Values.sortedKeys((Map<?, ?>) d));
      }
      // Go ranges a map in random order; wsink sorts so that the output is reproducible
      keys.sort(GoStrings::compare);
      return new GoList("string", keys, false);
    }, Arg.MAP));
    m.put("slice", Func.variadic("slice", (c, a) -> slice(a), Arg.ANY, Arg.ANY));

    // dates
    m.put("now", Func.of("now", (c, a) -> new GoTime(Instant.now(c).atZone(c.getZone()))));
    m.put("date", Func.of("date", (c, a) -> date(c, (String) a[0], a[1]), Arg.STRING, Arg.ANY));
  }

  /** sprig's toJson: json.Marshal, errors (NaN, ±Inf) give "". */
  private static String toJson(Object v) {
    try {
      return GoJson.marshal(v, true);
    } catch (GoJson.Unsupported e) {
      return "";
    }
  }

  private static long divisor(Object v) {
    long d = GoNumbers.toInt64(v);
    if (d == 0) {
      throw new Func.Failure("runtime error: integer divide by zero");
    }
    return d;
  }

  /** sprig's round(a, p, roundOn=.5): floor or ceil of a·10^p by the fraction Modf leaves (so negatives floor). */
  private static double round(Object[] a) {
    double roundOn = a.length > 2 ? (Double) a[2] : .5;
    double val = GoNumbers.toFloat64(a[0]);
    double pow = Math.pow(10, ((Number) a[1]).doubleValue());
    double digit = pow * val;
    double frac = digit - (digit < 0 ? Math.ceil(digit) : Math.floor(digit)); // math.Modf keeps the sign
    double rounded = frac >= roundOn ? Math.ceil(digit) : Math.floor(digit);
    return rounded / pow;
  }

  /** sprig's strval: a string as is, anything else through fmt's %v (nil is "<nil>"). */
  static String strval(Object v) {
    return v instanceof String s ? s : GoFmt.v(v);
  }

  private static String quote(Object[] a, boolean doubleQuote) {
    List<String> out = new ArrayList<>(a.length);
    for (Object s : a) {
      if (s != null) {
        out.add(doubleQuote ? GoStrings.quote(strval(s)) : "'" + GoFmt.v(s) + "'");
      }
    }
    return String.join(" ", out);
  }

  /** sprig's strslice: the strings of a list (nils dropped), or the one string of a scalar. */
  private static List<String> strslice(Object v) {
    List<String> out = new ArrayList<>();
    if (v instanceof List<?> l) {
      for (int i = 0; i < l.size(); i++) {
        Object x = Values.element(l, i);
        if (x != null) {
          out.add(strval(x));
        }
      }
    } else if (v != null) {
      out.add(strval(v));
    }
    return out;
  }

  /** sprig's empty: the zero value of its type, or nil. */
  static boolean empty(Object v) {
    if (v == null || v == Values.MISSING) {
      return true;
    }
    if (v instanceof GoTime) {
      return false;
    }
    return !Values.isTrue(v);
  }

  /** sprig's slice: list[start:end] of a list; Go's reflect panics become the error texts. */
  private static Object slice(Object[] a) {
    Object list = a[0];
    if (list == null) {
      throw new Func.Failure("runtime error: invalid memory address or nil pointer dereference");
    }
    if (!(list instanceof List<?> l)) {
      throw new Func.Failure("list should be type of slice or array but " + Values.kindName(list));
    }
    int len = l.size();
    if (len == 0) {
      return null;
    }
    long start = a.length > 1 ? GoNumbers.toInt64(a[1]) : 0;
    long end = a.length > 2 ? GoNumbers.toInt64(a[2]) : len;
    if (start < 0 || end < start || end > len) {
      throw new Func.Failure("reflect.Value.Slice: slice index out of bounds");
    }
    if (l instanceof GoList g) {
      return g.sub((int) start, (int) end);
    }
    return new ArrayList<>(l.subList((int) start, (int) end));
  }

  /** sprig's date: a time.Time, or int/int64 Unix seconds; anything else formats the current time. */
  private static String date(Clock clock, String layout, Object date) {
    GoTime t;
    if (date instanceof GoTime g) {
      t = g;
    } else if (Values.isInt(date)) {
      t = new GoTime(Instant.ofEpochSecond(((Number) date).longValue()).atZone(clock.getZone()));
    } else {
      t = new GoTime(Instant.now(clock).atZone(clock.getZone()));
    }
    return t.in(clock.getZone()).format(layout);
  }

  /** eKuiper's base64: the text of a bool, int or float64 (never an exponent), a string, or a map's JSON. */
  private static String ekuiperBase64(Object v) {
    String text;
    if (v == null) {
      throw new Func.Failure("based64 error for nil"); // sic, eKuiper's wording
    } else if (v instanceof Boolean || Values.isInt(v)) {
      text = v.toString();
    } else if (v instanceof Double d) {
      text = GoFloat.plain(d);
    } else if (v instanceof String s) {
      text = s;
    } else if (v instanceof Map) {
      try {
        text = GoJson.marshal(v, true);
      } catch (GoJson.Unsupported e) {
        throw new Func.Failure(e.getMessage());
      }
    } else {
      throw new Func.Failure("Unsupported data type " + Values.kindName(v) + " for base64 function.");
    }
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }
}
