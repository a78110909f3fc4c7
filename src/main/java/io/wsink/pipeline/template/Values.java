package io.wsink.pipeline.template;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.RandomAccess;

/**
 * How Go values are represented while a template runs, and the Go type rules the evaluator needs.
 *
 * <ul>
 *   <li>{@link #MISSING}: Go's invalid {@code reflect.Value} (a missing map key; prints {@code <no value>}).</li>
 *   <li>{@code null}: a nil {@code interface{}} (a JSON null held in a row).</li>
 *   <li>String, Boolean; Integer is Go {@code int} (template constants, {@code len}, range indexes); Long is
 *   {@code int64} (every JSON integer); Double is {@code float64}.</li>
 *   <li>Map / List: {@code map[string]interface {}} / {@code []interface {}} from the data, read through
 *   {@link #fromData}; {@link GoMap} / {@link GoList} when the element type is something else.</li>
 *   <li>{@link GoTime}: {@code time.Time}.</li>
 * </ul>
 */
final class Values {

  private Values() {
  }

  /** Go's zero reflect.Value: a missing key, an unset variable. */
  static final Object MISSING = new Object() {
    @Override
    public String toString() {
      return "<no value>";
    }
  };

  /** A list whose element type is not {@code interface {}}, or that needs no normalisation. */
  static final class GoList extends AbstractList<Object> implements RandomAccess {
    final String elemType;
    private final List<?> items;
    private final boolean fromData;

    GoList(String elemType, List<?> items, boolean fromData) {
      this.elemType = elemType;
      this.items = items;
      this.fromData = fromData;
    }

    @Override
    public Object get(int index) {
      Object v = items.get(index);
      return fromData ? Values.fromData(v) : v;
    }

    @Override
    public int size() {
      return items.size();
    }

    GoList sub(int from, int to) {
      return new GoList(elemType, new ArrayList<>(items.subList(from, to)), fromData);
    }
  }

  /** A map made by a template function; remembers the value type for Go's type names and zero values. */
  static final class GoMap extends HashMap<String, Object> {
    final String valueType;

    GoMap(String valueType) {
      this.valueType = valueType;
    }
  }

  /** The data handed to execute: a row (a map) or a result set, Go's {@code []map[string]interface {}}. */
  static Object root(Object data) {
    if (data == null) {
      return MISSING; // Go's Execute(w, nil): the zero Value, so fields of it are <no value>
    }
    if (data instanceof JsonArray a) {
      return new GoList("map[string]interface {}", a.getList(), true);
    }
    if (data instanceof List<?> l && !(l instanceof GoList)) {
      return new GoList("map[string]interface {}", l, true);
    }
    return fromData(data);
  }

  /**
   * Maps a value read from the data to its Go form: every JSON integer is an int64 and every other number a
   * float64, as the brief of issue 3 fixes; Vert.x containers are read through their backing collections.
   */
  static Object fromData(Object v) {
    if (v == null || v instanceof String || v instanceof Long || v instanceof Double || v instanceof Boolean
      || v instanceof Map || v instanceof List || v instanceof GoTime) {
      return v;
    }
    if (v instanceof Integer || v instanceof Short || v instanceof Byte) {
      return ((Number) v).longValue();
    }
    if (v instanceof JsonObject o) {
      return o.getMap();
    }
    if (v instanceof JsonArray a) {
      return a.getList();
    }
    if (v instanceof BigInteger b) {
      // encoding/json would make a float64 of it; keep every integer that fits exactly
      return b.bitLength() < 64 ? (Object) b.longValue() : (Object) b.doubleValue();
    }
    if (v instanceof BigDecimal || v instanceof Float) {
      return ((Number) v).doubleValue();
    }
    if (v instanceof Number n) {
      return n.doubleValue();
    }
    if (v instanceof byte[] b) {
      return Base64.getEncoder().encodeToString(b); // what Vert.x puts on the wire for binary
    }
    if (v instanceof Instant i) {
      return i.toString();
    }
    return v.toString();
  }

  /** Element {@code i} of a list, in Go form. */
  static Object element(List<?> list, int i) {
    return list instanceof GoList g ? g.get(i) : fromData(list.get(i));
  }

  /** Whether elements of {@code list} are {@code interface {}} values (matters for Go's error texts only). */
  static boolean boxedElements(List<?> list) {
    return !(list instanceof GoList g) || g.elemType.equals("interface {}");
  }

  /** Value of {@code key} in Go form, or MISSING when absent. */
  static Object entry(Map<?, ?> map, String key) {
    Object v = map.get(key);
    if (v == null && !map.containsKey(key)) {
      return MISSING;
    }
    return map instanceof GoMap ? v : fromData(v);
  }

  static boolean boxedValues(Map<?, ?> map) {
    return !(map instanceof GoMap g) || g.valueType.equals("interface {}");
  }

  /** Go's zero value of the map's element type: what {@code index} yields for a missing key. */
  static Object zeroValue(Map<?, ?> map) {
    return map instanceof GoMap g && g.valueType.equals("string") ? "" : null;
  }

  /** Sorted keys: Go prints and ranges maps in key order (fmtsort), byte-wise. */
  static List<String> sortedKeys(Map<?, ?> map) {
    List<String> keys = new ArrayList<>(map.size());
    for (Object k : map.keySet()) {
      keys.add(String.valueOf(k));
    }
    keys.sort(GoStrings::compare);
    return keys;
  }

  /** Go's name of the dynamic type, as reflect's Type.String() prints it. */
  static String typeName(Object v) {
    if (v == null || v == MISSING) {
      return "interface {}";
    }
    if (v instanceof String) {
      return "string";
    }
    if (v instanceof Boolean) {
      return "bool";
    }
    if (v instanceof Integer) {
      return "int";
    }
    if (v instanceof Long) {
      return "int64";
    }
    if (v instanceof Double) {
      return "float64";
    }
    if (v instanceof GoTime) {
      return "time.Time";
    }
    if (v instanceof GoMap m) {
      return "map[string]" + m.valueType;
    }
    if (v instanceof Map) {
      return "map[string]interface {}";
    }
    if (v instanceof GoList l) {
      return "[]" + l.elemType;
    }
    if (v instanceof List) {
      return "[]interface {}";
    }
    return v.getClass().getSimpleName();
  }

  /** reflect.Kind's name, for messages such as sprig's "list should be type of slice or array but string". */
  static String kindName(Object v) {
    if (v instanceof Map) {
      return "map";
    }
    if (v instanceof List) {
      return "slice";
    }
    if (v instanceof GoTime) {
      return "struct";
    }
    if (v == null || v == MISSING) {
      return "invalid";
    }
    return typeName(v);
  }

  static boolean isInt(Object v) {
    return v instanceof Long || v instanceof Integer;
  }

  /** text/template's truth: the zero value of its type is false. */
  static boolean isTrue(Object v) {
    if (v == null || v == MISSING) {
      return false;
    }
    if (v instanceof Boolean b) {
      return b;
    }
    if (v instanceof String s) {
      return !s.isEmpty();
    }
    if (v instanceof Long || v instanceof Integer) {
      return ((Number) v).longValue() != 0;
    }
    if (v instanceof Double d) {
      return d != 0;
    }
    if (v instanceof Map<?, ?> m) {
      return !m.isEmpty();
    }
    if (v instanceof List<?> l) {
      return !l.isEmpty();
    }
    return true; // structs (time.Time) are always true
  }

  /** A Go int result: Integer when it fits, else the int64 form (only the type name differs). */
  static Object goInt(long v) {
    return v == (int) v ? (Object) (int) v : (Object) v;
  }
}
