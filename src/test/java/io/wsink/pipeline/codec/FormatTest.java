package io.wsink.pipeline.codec;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link Format}: json, delimited and binary as eKuiper's converters encode for a sink. */
class FormatTest {

  private static final Format JSON = Format.of("json", null, null);
  private static final Format CSV = Format.of("delimited", null, null);
  private static final Format BINARY = Format.of("binary", null, null);

  // ------------------------------------------------------------------------------------------- of

  @Test
  void namesAreCaseInsensitiveAndJsonIsTheDefault() throws Exception {
    JsonObject row = new JsonObject().put("a", 1);
    for (String name : new String[] {"json", "JSON", "Json", "", null}) {
      assertEquals("{\"a\":1}", text(Format.of(name, null, null).encode(row)), "format " + name);
    }
    assertEquals("1", text(Format.of("DELIMITED", null, null).encode(row)));
    assertArrayEquals(new byte[] {1}, Format.of("Binary", null, null).encode(new byte[] {1}));
  }

  @Test
  void anUnknownFormatIsRefusedNamingTheAcceptedValues() {
    for (String name : new String[] {"xml", "protobuf", "csv", " json"}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Format.of(name, ",", null));
      assertTrue(e.getMessage().contains("\"" + name + "\""), e.getMessage());
      assertTrue(e.getMessage().contains("json, delimited, binary"), e.getMessage());
    }
  }

  // ----------------------------------------------------------------------------------------- json

  @Test
  void jsonKeepsTheKeyOrderOfTheRow() throws Exception {
    JsonObject row = new JsonObject().put("zeta", 1).put("alpha", "x").put("mid", true);
    assertEquals("{\"zeta\":1,\"alpha\":\"x\",\"mid\":true}", text(JSON.encode(row)));
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("b", 2.5);
    map.put("a", null);
    assertEquals("{\"b\":2.5,\"a\":null}", text(JSON.encode(map)));
  }

  @Test
  void jsonEncodesResultSetsNestedValuesAndScalars() throws Exception {
    JsonArray rows = new JsonArray().add(new JsonObject().put("a", 1)).add(new JsonObject().put("a", 2));
    assertEquals("[{\"a\":1},{\"a\":2}]", text(JSON.encode(rows)));
    assertEquals("[{\"a\":1},{\"b\":[1,2]}]",
      text(JSON.encode(List.of(Map.of("a", 1), Map.of("b", List.of(1, 2))))));
    JsonObject nested = new JsonObject().put("o", new JsonObject().put("k", new JsonArray().add("v")));
    assertEquals("{\"o\":{\"k\":[\"v\"]}}", text(JSON.encode(nested)));
    assertEquals("\"text\"", text(JSON.encode("text")));
    assertEquals("42", text(JSON.encode(42)));
    assertEquals("null", text(JSON.encode(null)));
  }

  @Test
  void jsonIsUtf8WithoutEscapingNonAscii() throws Exception {
    byte[] out = JSON.encode(new JsonObject().put("name", "Grüße 温度 🌡"));
    assertArrayEquals("{\"name\":\"Grüße 温度 🌡\"}".getBytes(StandardCharsets.UTF_8), out);
  }

  @Test
  void jsonIsTheSameTextTheJsonObjectEncodes() throws Exception {
    JsonObject row = new JsonObject().put("t", 21.5).put("id", "s1").put("n", 3L).put("ok", false);
    assertEquals(row.encode(), text(JSON.encode(row)));
  }

  @Test
  void bytesPassThroughEveryFormatUnchanged() throws Exception {
    byte[] raw = {0, (byte) 0xff, 'a', '\n', (byte) 0x80};
    for (Format f : List.of(JSON, CSV, BINARY, Format.of("delimited", ";", List.of("a")))) {
      assertArrayEquals(raw, f.encode(raw), f.toString());
      assertArrayEquals(raw, f.encode(Buffer.buffer(raw)), f.toString());
    }
  }

  @Test
  void aValueJacksonCannotEncodeIsACodecException() {
    CodecException e = assertThrows(CodecException.class, () -> JSON.encode(new Object()));
    assertTrue(e.getMessage().startsWith("format json cannot encode a java.lang.Object"), e.getMessage());
  }

  // ------------------------------------------------------------------------------------ delimited

  @Test
  void delimitedWritesTheFieldsInOrderWithoutHeaderOrLineBreak() throws Exception {
    Format f = Format.of("delimited", null, List.of("temperature", "id", "humidity"));
    JsonObject row = new JsonObject().put("id", "s1").put("humidity", 70).put("temperature", 22.5).put("extra", "x");
    assertEquals("22.5,s1,70", text(f.encode(row)));
  }

  @Test
  void delimitedUsesTheDelimiterAsGivenAndCommaByDefault() throws Exception {
    JsonObject row = new JsonObject().put("a", 1).put("b", "two");
    assertEquals("1,two", text(Format.of("delimited", "", List.of("a", "b")).encode(row)));
    assertEquals("1,two", text(Format.of("delimited", null, List.of("a", "b")).encode(row)));
    assertEquals("1\ttwo", text(Format.of("delimited", "\t", List.of("a", "b")).encode(row)));
    assertEquals("1 | two", text(Format.of("delimited", " | ", List.of("a", "b")).encode(row)));
    assertEquals("1:two", text(Format.of("delimited", ":", List.of("a", "b")).encode(row)));
  }

  @Test
  void delimitedWithoutFieldsSortsTheKeysAsEKuiperDoes() throws Exception {
    // eKuiper's own test: {"id":12,"name":"test"} with ":" → "12:test"; more keys sort byte-wise
    Format f = Format.of("delimited", ":", null);
    assertEquals("12:test", text(f.encode(new JsonObject().put("name", "test").put("id", 12))));
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("b", 2);
    row.put("B", 1);
    row.put("a", 3);
    row.put("é", 5);
    row.put("\uD83D\uDE00", 6); // U+1F600 sorts after U+FFFD in UTF-8 byte order, before it in UTF-16 order
    row.put("\uFFFD", 4);
    assertEquals("1:3:2:4:6", text(Format.of("delimited", ":", List.of()).encode(
      new LinkedHashMap<>(Map.of("b", 2, "B", 1, "a", 3, "\uFFFD", 4, "\uD83D\uDE00", 6)))));
    assertEquals("1:3:2:5:4:6", text(f.encode(row)));
  }

  @Test
  void delimitedResultSetIsOneLinePerRowJoinedByNewline() throws Exception {
    Format f = Format.of("delimited", ",", List.of("id", "t"));
    JsonArray rows = new JsonArray()
      .add(new JsonObject().put("t", 20).put("id", "a"))
      .add(new JsonObject().put("id", "b").put("t", 21.5))
      .add(new JsonObject().put("id", "c"));
    assertEquals("a,20\nb,21.5\nc,", text(f.encode(rows)));
    assertEquals("a,20\nb,21.5\nc,", text(f.encode(new ArrayList<>(rows.getList()))));
    assertEquals("", text(f.encode(new JsonArray())));
  }

  @Test
  void delimitedResultSetWithoutFieldsUsesTheFirstRowsSortedKeysForEveryRow() throws Exception {
    JsonArray rows = new JsonArray()
      .add(new JsonObject().put("b", 1).put("a", 2))
      .add(new JsonObject().put("c", 9).put("b", 3))
      .add(new JsonObject().put("a", 4));
    assertEquals("2,1\n,3\n4,", text(CSV.encode(rows)));
  }

  @Test
  void delimitedWritesAMissingKeyNullAndNestedValuesAsNothing() throws Exception {
    Format f = Format.of("delimited", ",", List.of("missing", "nil", "obj", "arr", "list", "map", "v"));
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("nil", null);
    row.put("obj", new JsonObject().put("k", 1));
    row.put("arr", new JsonArray().add(1));
    row.put("list", List.of(1, 2));
    row.put("map", Map.of("k", "v"));
    row.put("v", "end");
    assertEquals(",,,,,,end", text(f.encode(row)));
  }

  @Test
  void delimitedWritesScalarsAsEKuipersCastToString() throws Exception {
    Format f = Format.of("delimited", "|", List.of("s", "t", "f", "i", "l", "bi", "bd", "bytes", "buf", "u"));
    JsonObject row = new JsonObject()
      .put("s", "plain, \"unquoted\"")
      .put("t", true)
      .put("f", false)
      .put("i", -7)
      .put("l", 9_007_199_254_740_993L)
      .put("bi", new BigInteger("123456789012345678901234567890"))
      .put("bd", new BigDecimal("1E+3"))
      .put("bytes", "raw".getBytes(StandardCharsets.UTF_8))
      .put("buf", Buffer.buffer("buf"))
      .put("u", "ünï");
    assertEquals("plain, \"unquoted\"|true|false|-7|9007199254740993|123456789012345678901234567890|1000|raw|buf|ünï",
      text(f.encode(row)));
  }

  @Test
  void delimitedWritesFloatsAsGoFormatFloatShortestWithoutExponent() {
    // expected: Go's strconv.FormatFloat(v, 'f', -1, 64); the digits are the shortest that read back (as node's
    // Number#toString, which writes the same digits with an exponent past 1e21 / below 1e-6)
    Object[][] cases = {
      {22.5, "22.5"}, {0.1, "0.1"}, {100.0, "100"}, {-0.5, "-0.5"}, {1.0 / 3, "0.3333333333333333"},
      {0.1 + 0.2, "0.30000000000000004"}, {1e21, "1000000000000000000000"}, {1e-7, "0.0000001"},
      {123456.789, "123456.789"}, {0x1p60, "1152921504606847000"}, {1e16, "10000000000000000"},
      {0x1p53, "9007199254740992"}, {2.5e-5, "0.000025"}, {1e23, "100000000000000000000000"},
      {2e23, "200000000000000000000000"}, {8.41e21, "8410000000000000000000"}, {4.35e-3, "0.00435"},
      {-0.0, "-0"}, {0.0, "0"}, {Double.NaN, "NaN"}, {Double.POSITIVE_INFINITY, "+Inf"},
      {Double.NEGATIVE_INFINITY, "-Inf"}, {Double.MIN_VALUE, "0." + "0".repeat(323) + "5"},
      {Double.MAX_VALUE, "17976931348623157" + "0".repeat(292)},
    };
    for (Object[] c : cases) {
      assertEquals(c[1], DelimitedFormat.text(c[0]), "FormatFloat(" + c[0] + ")");
    }
  }

  @Test
  void delimitedWritesFloat32AsGoFormatFloatBitSize32() {
    // Go: strconv.FormatFloat(float64(f), 'f', -1, 32): the shortest digits that read back as a float32
    Object[][] cases = {
      {0.1f, "0.1"}, {22.5f, "22.5"}, {123456789f, "123456790"}, {16777216f, "16777216"},
      {Float.MIN_VALUE, "0." + "0".repeat(44) + "1"}, {Float.MAX_VALUE, "34028235" + "0".repeat(31)},
      {1.1f, "1.1"}, {-3.4e-5f, "-0.000034"},
    };
    for (Object[] c : cases) {
      assertEquals(c[1], DelimitedFormat.text(c[0]), "FormatFloat(float32 " + c[0] + ")");
    }
  }

  @Test
  void shortestFloatTextReadsBackForManyValues() {
    java.util.Random random = new java.util.Random(42);
    for (int i = 0; i < 5_000; i++) {
      double d = i % 2 == 0 ? Double.longBitsToDouble(random.nextLong()) : (random.nextDouble() - 0.5) * 1e6;
      if (Double.isNaN(d) || Double.isInfinite(d)) {
        continue;
      }
      String s = DelimitedFormat.goFormatFloat(d, false);
      assertEquals(d, Double.parseDouble(s), s);
      assertTrue(!s.contains("E") && !s.contains("e"), s);
      // never longer than the JDK's own (round-tripping) digits
      String jdk = new BigDecimal(Double.toString(Math.abs(d))).stripTrailingZeros().unscaledValue().toString();
      String ours = new BigDecimal(s.replace("-", "")).stripTrailingZeros().unscaledValue().toString();
      assertTrue(ours.length() <= jdk.length(), s + " vs " + Double.toString(d));
    }
  }

  @Test
  void delimitedRefusesWhatIsNotARowOrAResultSet() {
    for (Object value : new Object[] {"text", 42, true, null}) {
      CodecException e = assertThrows(CodecException.class, () -> CSV.encode(value));
      assertTrue(e.getMessage().startsWith("format delimited encodes a row (JSON object) or a result set"),
        e.getMessage());
    }
    CodecException e = assertThrows(CodecException.class,
      () -> CSV.encode(new JsonArray().add(new JsonObject().put("a", 1)).add("oops")));
    assertEquals("format delimited: item 1 of the result set is a string, not a row (JSON object)", e.getMessage());
  }

  @Test
  void delimitedFieldsAreCopied() throws Exception {
    List<String> fields = new ArrayList<>(Arrays.asList("a", "b"));
    Format f = Format.of("delimited", ",", fields);
    fields.clear();
    assertEquals("1,2", text(f.encode(new JsonObject().put("b", 2).put("a", 1))));
  }

  // --------------------------------------------------------------------------------------- binary

  @Test
  void binarySendsTheSelfFieldOfARowAsEKuiperDoes() throws Exception {
    byte[] image = {(byte) 0x89, 'P', 'N', 'G', 0, 1, 2};
    assertArrayEquals(image, BINARY.encode(new JsonObject().put("self", image).put("other", 1)));
    assertArrayEquals(image, BINARY.encode(new JsonObject().put("self", Buffer.buffer(image))));
    assertArrayEquals(image, BINARY.encode(Map.of("self", image)));
    // base64 text, as a JSON row carries bytes; standard alphabet as eKuiper reads it, URL-safe as Vert.x writes it
    byte[] ff = {(byte) 0xfb, (byte) 0xff, (byte) 0xfe};
    assertArrayEquals(ff, BINARY.encode(new JsonObject().put("self", Base64.getEncoder().encodeToString(ff))));
    assertArrayEquals(ff, BINARY.encode(new JsonObject().put("self", Base64.getUrlEncoder().encodeToString(ff))));
    assertArrayEquals(image, BINARY.encode(new JsonObject(new JsonObject().put("self", image).encode())));
  }

  @Test
  void binaryPassesBytesThroughTheSameArray() throws Exception {
    byte[] raw = {1, 2, 3};
    assertSame(raw, BINARY.encode(raw));
  }

  @Test
  void binaryRefusesWhatIsNotBytes() {
    CodecException e = assertThrows(CodecException.class, () -> BINARY.encode(new JsonObject().put("data", "x")));
    assertTrue(e.getMessage().startsWith("format binary: the row has no field \"self\""), e.getMessage());
    e = assertThrows(CodecException.class, () -> BINARY.encode(new JsonObject().put("self", 42)));
    assertEquals("format binary: field \"self\" is a number, not bytes or base64 text", e.getMessage());
    e = assertThrows(CodecException.class, () -> BINARY.encode(new JsonObject().put("self", "not base64!")));
    assertTrue(e.getMessage().startsWith("format binary: field \"self\" is a string that is not base64"),
      e.getMessage());
    for (Object value : new Object[] {"text", 1.5, null, new JsonArray().add(new JsonObject().put("self", "AA=="))}) {
      e = assertThrows(CodecException.class, () -> BINARY.encode(value));
      assertTrue(e.getMessage().startsWith("format binary sends bytes"), e.getMessage());
    }
  }

  private static String text(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
