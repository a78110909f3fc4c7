package io.wsink.pipeline;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.wsink.sink.WebSocketActionProps;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link SinkPipeline#apply}: the §3 body kinds through the §5.1 stages that this version builds. */
class SinkPipelineTest {

  // ---------------------------------------------------------------------------------------- rows

  @Test
  void rowWithoutSendSingleIsOneArrayFrame() throws Exception {
    // eKuiper hands a sink a result set, so a single row still goes out as an array of one
    List<Frame> frames = pipeline("{}").apply(new JsonObject().put("t", 21.5).put("id", "s1"));
    assertEquals(List.of("[{\"t\":21.5,\"id\":\"s1\"}]"), texts(frames));
  }

  @Test
  void rowWithSendSingleIsOneObjectFrame() throws Exception {
    List<Frame> frames = pipeline("{\"sendSingle\":true}").apply(new JsonObject().put("t", 21.5).put("id", "s1"));
    assertEquals(List.of("{\"t\":21.5,\"id\":\"s1\"}"), texts(frames));
  }

  @Test
  void resultSetWithoutSendSingleIsOneArrayFrame() throws Exception {
    List<Frame> frames = pipeline("{}").apply(rows("{\"a\":1}", "{\"a\":2}", "{\"a\":3}"));
    assertEquals(List.of("[{\"a\":1},{\"a\":2},{\"a\":3}]"), texts(frames));
  }

  @Test
  void resultSetWithSendSingleIsOneFramePerRowInOrder() throws Exception {
    List<Frame> frames = pipeline("{\"sendSingle\":true}").apply(rows("{\"a\":1}", "{\"a\":2}", "{\"a\":3}"));
    assertEquals(List.of("{\"a\":1}", "{\"a\":2}", "{\"a\":3}"), texts(frames));
  }

  @Test
  void nestedValuesAndUnicodeAreEncodedAsJson() throws Exception {
    JsonObject row = new JsonObject()
      .put("s", "é \"q\" ✓")
      .put("n", (Object) null)
      .put("o", new JsonObject().put("x", new JsonArray().add(1).add(true)));
    String text = texts(pipeline("{\"sendSingle\":true}").apply(row)).get(0);
    assertEquals(row, new JsonObject(text), "the frame decodes back to the row: " + text);
  }

  @Test
  void theInputIsNotModified() throws Exception {
    JsonObject row = new JsonObject().put("a", 1).put("b", 2).put("c", 3);
    JsonArray set = new JsonArray().add(row);
    pipeline("{\"fields\":[\"a\"]}").apply(set);
    pipeline("{\"sendSingle\":true,\"fields\":[\"c\",\"x\"]}").apply(row);
    assertEquals(new JsonObject().put("a", 1).put("b", 2).put("c", 3), row);
    assertEquals(1, set.size());
  }

  // ---------------------------------------------------------------------------------------- omitIfEmpty

  @Test
  void omitIfEmptyDropsAnEmptyRow() throws Exception {
    assertEquals(List.of(), pipeline("{\"omitIfEmpty\":true}").apply(new JsonObject()));
    assertEquals(List.of(), pipeline("{\"omitIfEmpty\":true,\"sendSingle\":true}").apply(new JsonObject()));
  }

  @Test
  void omitIfEmptyDropsAnEmptyResultSet() throws Exception {
    assertEquals(List.of(), pipeline("{\"omitIfEmpty\":true}").apply(new JsonArray()));
    assertEquals(List.of(), pipeline("{\"omitIfEmpty\":true,\"sendSingle\":true}").apply(new JsonArray()));
  }

  @Test
  void omitIfEmptyDropsAResultSetOfEmptyRows() throws Exception {
    assertEquals(List.of(), pipeline("{\"omitIfEmpty\":true}").apply(rows("{}", "{}")));
  }

  @Test
  void omitIfEmptyWithSendSingleSkipsOnlyTheEmptyRows() throws Exception {
    List<Frame> frames = pipeline("{\"omitIfEmpty\":true,\"sendSingle\":true}")
      .apply(rows("{}", "{\"a\":1}", "{}", "{\"a\":2}"));
    assertEquals(List.of("{\"a\":1}", "{\"a\":2}"), texts(frames));
  }

  @Test
  void omitIfEmptyKeepsAResultSetWithAnyNonEmptyRow() throws Exception {
    List<Frame> frames = pipeline("{\"omitIfEmpty\":true}").apply(rows("{}", "{\"a\":1}"));
    assertEquals(List.of("[{},{\"a\":1}]"), texts(frames));
  }

  @Test
  void withoutOmitIfEmptyEmptyMessagesAreSent() throws Exception {
    assertEquals(List.of("[{}]"), texts(pipeline("{}").apply(new JsonObject())));
    assertEquals(List.of("{}"), texts(pipeline("{\"sendSingle\":true}").apply(new JsonObject())));
    assertEquals(List.of("[]"), texts(pipeline("{}").apply(new JsonArray())));
    assertEquals(List.of("[{},{}]"), texts(pipeline("{}").apply(rows("{}", "{}"))));
    assertEquals(List.of("{}", "{}"), texts(pipeline("{\"sendSingle\":true}").apply(rows("{}", "{}"))));
  }

  // ---------------------------------------------------------------------------------------- dataField

  @Test
  void dataFieldExtractsAFieldOfARow() throws Exception {
    JsonObject row = new JsonObject().put("meta", "m").put("payload", new JsonObject().put("t", 1));
    assertEquals(List.of("{\"t\":1}"), texts(pipeline("{\"sendSingle\":true,\"dataField\":\"payload\"}").apply(row)));
    assertEquals(List.of("{\"t\":1}"), texts(pipeline("{\"dataField\":\"payload\"}").apply(row)),
      "without sendSingle the row is a result set of one, and dataField reads its first row");
  }

  @Test
  void dataFieldReadsTheFirstRowOfAResultSet() throws Exception {
    JsonArray set = rows("{\"data\":[{\"x\":1},{\"x\":2}]}", "{\"data\":[{\"x\":3}]}");
    assertEquals(List.of("[{\"x\":1},{\"x\":2}]"), texts(pipeline("{\"dataField\":\"data\"}").apply(set)));
  }

  @Test
  void dataFieldWithSendSingleExtractsFromEachRow() throws Exception {
    JsonArray set = rows("{\"v\":\"a\"}", "{\"v\":\"b\"}");
    assertEquals(List.of("\"a\"", "\"b\""), texts(pipeline("{\"sendSingle\":true,\"dataField\":\"v\"}").apply(set)),
      "a scalar field is encoded as JSON");
  }

  @Test
  void missingDataFieldGivesNull() throws Exception {
    assertEquals(List.of("null"),
      texts(pipeline("{\"sendSingle\":true,\"dataField\":\"nope\"}").apply(new JsonObject().put("a", 1))));
    assertEquals(List.of("null"), texts(pipeline("{\"dataField\":\"nope\"}").apply(rows("{\"a\":1}"))));
    assertEquals(List.of("null"), texts(pipeline("{\"dataField\":\"nope\"}").apply(new JsonArray())),
      "an empty result set has no first row");
  }

  @Test
  void tableDataFieldAliasWorksEndToEnd() throws Exception {
    assertEquals(List.of("7"),
      texts(pipeline("{\"sendSingle\":true,\"tableDataField\":\"n\"}").apply(new JsonObject().put("n", 7))));
  }

  // ---------------------------------------------------------------------------------------- fields

  @Test
  void fieldsKeepsListedKeysInListedOrderWithMissingOnesAsNull() throws Exception {
    JsonObject row = new JsonObject().put("a", 1).put("b", 2).put("c", 3);
    List<Frame> frames = pipeline("{\"sendSingle\":true,\"fields\":[\"c\",\"a\",\"z\"]}").apply(row);
    assertEquals(List.of("{\"c\":3,\"a\":1,\"z\":null}"), texts(frames));
  }

  @Test
  void fieldsAppliesToEveryRowOfAResultSet() throws Exception {
    List<Frame> frames = pipeline("{\"fields\":[\"b\",\"a\"]}").apply(rows("{\"a\":1,\"b\":2,\"c\":3}", "{\"b\":5}"));
    assertEquals(List.of("[{\"b\":2,\"a\":1},{\"b\":5,\"a\":null}]"), texts(frames));
  }

  @Test
  void fieldsAppliesAfterDataField() throws Exception {
    JsonObject row = new JsonObject().put("drop", true)
      .put("p", new JsonObject().put("x", 1).put("y", 2).put("z", 3));
    assertEquals(List.of("{\"z\":3,\"x\":1}"),
      texts(pipeline("{\"sendSingle\":true,\"dataField\":\"p\",\"fields\":[\"z\",\"x\"]}").apply(row)));
    JsonArray set = rows("{\"list\":[{\"x\":1,\"y\":2},{\"x\":3,\"y\":4}]}");
    assertEquals(List.of("[{\"y\":2},{\"y\":4}]"),
      texts(pipeline("{\"dataField\":\"list\",\"fields\":[\"y\"]}").apply(set)));
  }

  @Test
  void emptyFieldsListSelectsNothingAway() throws Exception {
    // eKuiper: an empty fields list is no selection at all
    assertEquals(List.of("{\"a\":1}"),
      texts(pipeline("{\"sendSingle\":true,\"fields\":[]}").apply(new JsonObject().put("a", 1))));
  }

  // ---------------------------------------------------------------------------------------- raw payloads

  @Test
  void stringIsOneTextFrameUnchanged() throws Exception {
    List<Frame> frames = pipeline("{}").apply("hello {not json} ✓");
    assertEquals(List.of("hello {not json} ✓"), texts(frames));
  }

  @Test
  void bufferIsOneBinaryFrameUnchanged() throws Exception {
    Buffer data = Buffer.buffer(new byte[] {0, 1, 2, (byte) 0xff, (byte) 0xfe});
    List<Frame> frames = pipeline("{}").apply(data);
    assertEquals(1, frames.size());
    assertFalse(frames.get(0).isText());
    assertEquals(data, frames.get(0).binary());
  }

  @Test
  void byteArrayIsOneBinaryFrameUnchanged() throws Exception {
    byte[] bytes = {9, 8, 7, (byte) 0x80};
    List<Frame> frames = pipeline("{}").apply(bytes);
    assertEquals(1, frames.size());
    assertFalse(frames.get(0).isText());
    assertArrayEquals(bytes, frames.get(0).binary().getBytes());
  }

  @Test
  void rawPayloadsSkipTheRowTransforms() throws Exception {
    SinkPipeline p = pipeline("{\"sendSingle\":true,\"omitIfEmpty\":true,\"dataField\":\"a\",\"fields\":[\"b\"]}");
    assertEquals(List.of("{\"a\":1,\"c\":2}"), texts(p.apply("{\"a\":1,\"c\":2}")));
    assertEquals(List.of(""), texts(p.apply("")), "omitIfEmpty is about empty objects and arrays, not raw text");
    Buffer json = Buffer.buffer("{\"a\":1}");
    assertEquals(json, p.apply(json).get(0).binary());
  }

  // ---------------------------------------------------------------------------------------- frameType

  @Test
  void autoSendsJsonAsText() throws Exception {
    Frame f = pipeline("{\"frameType\":\"auto\"}").apply(new JsonObject().put("a", 1)).get(0);
    assertTrue(f.isText());
  }

  @Test
  void binaryFrameTypeSendsJsonAsUtf8Bytes() throws Exception {
    List<Frame> frames = pipeline("{\"frameType\":\"binary\"}").apply(rows("{\"a\":\"é\"}"));
    assertFalse(frames.get(0).isText());
    assertArrayEquals("[{\"a\":\"é\"}]".getBytes(StandardCharsets.UTF_8), frames.get(0).binary().getBytes());
    List<Frame> single = pipeline("{\"frameType\":\"binary\",\"sendSingle\":true}").apply(rows("{\"a\":1}", "{\"a\":2}"));
    assertEquals(2, single.size());
    assertEquals("{\"a\":2}", single.get(1).binary().toString(StandardCharsets.UTF_8));
  }

  @Test
  void binaryFrameTypeSendsAStringAsUtf8Bytes() throws Exception {
    Frame f = pipeline("{\"frameType\":\"binary\"}").apply("ñ✓").get(0);
    assertFalse(f.isText());
    assertArrayEquals("ñ✓".getBytes(StandardCharsets.UTF_8), f.binary().getBytes());
  }

  @Test
  void textFrameTypeSendsUtf8BytesAsText() throws Exception {
    Frame f = pipeline("{\"frameType\":\"text\"}").apply(Buffer.buffer("héllo", "UTF-8")).get(0);
    assertTrue(f.isText());
    assertEquals("héllo", f.text());
    Frame g = pipeline("{\"frameType\":\"text\"}").apply("ok".getBytes(StandardCharsets.UTF_8)).get(0);
    assertEquals("ok", g.text());
  }

  @Test
  void invalidUtf8SentAsTextIsReplacedNotSentInvalid() throws Exception {
    byte[] bytes = {'a', (byte) 0xc3, (byte) 0x28, 'b', (byte) 0xff};
    Frame f = pipeline("{\"frameType\":\"text\"}").apply(bytes).get(0);
    assertTrue(f.isText());
    assertEquals("a\uFFFD(b\uFFFD", f.text());
    // what goes on the wire round-trips through UTF-8 without loss: nothing invalid is left in it
    byte[] wire = f.text().getBytes(StandardCharsets.UTF_8);
    assertEquals(f.text(), new String(wire, StandardCharsets.UTF_8));
  }

  @Test
  void textFrameTypeKeepsStringsAndJsonAsText() throws Exception {
    SinkPipeline p = pipeline("{\"frameType\":\"text\"}");
    assertEquals(List.of("s"), texts(p.apply("s")));
    assertEquals(List.of("[{\"a\":1}]"), texts(p.apply(new JsonObject().put("a", 1))));
  }

  @Test
  void binaryFrameTypeKeepsBuffersBinary() throws Exception {
    Buffer data = Buffer.buffer(new byte[] {1, 2, 3});
    Frame f = pipeline("{\"frameType\":\"binary\"}").apply(data).get(0);
    assertFalse(f.isText());
    assertEquals(data, f.binary());
  }

  // ---------------------------------------------------------------------------------------- frame size

  @Test
  void binaryFrameSizeIsItsByteCount() throws Exception {
    assertEquals(5, pipeline("{}").apply(new byte[5]).get(0).size());
    assertEquals(7, pipeline("{\"frameType\":\"binary\"}").apply("{\"a\":1}").get(0).size());
  }

  /**
   * Frame.size() is what server mode counts against clientQueueBytes ("most bytes queued for one client", §4). A text
   * frame goes on the wire as UTF-8, so its size must not be less than its UTF-8 byte count: otherwise non-ASCII
   * output (CJK: 3 bytes per char) can queue several times the configured bytes per client.
   */
  @Test
  void textFrameSizeIsAtLeastItsUtf8ByteCount() throws Exception {
    String text = "温度传感器读数".repeat(100);
    Frame f = pipeline("{}").apply(text).get(0);
    int utf8 = text.getBytes(StandardCharsets.UTF_8).length;
    assertTrue(f.size() >= utf8, "size " + f.size() + " < " + utf8 + " UTF-8 bytes");
    Frame json = pipeline("{\"sendSingle\":true}").apply(new JsonObject().put("v", text)).get(0);
    assertTrue(json.size() >= json.text().getBytes(StandardCharsets.UTF_8).length,
      "size " + json.size() + " of a JSON frame below its UTF-8 length");
  }

  // ---------------------------------------------------------------------------------------- unsupported bodies

  @Test
  void integerBodyIsRefusedWithAClearMessage() {
    PipelineException e = assertThrows(PipelineException.class, () -> pipeline("{}").apply(42));
    assertTrue(e.getMessage().contains("unsupported message body java.lang.Integer"), e.getMessage());
    assertTrue(e.getMessage().contains("JsonObject") && e.getMessage().contains("JsonArray")
      && e.getMessage().contains("String") && e.getMessage().contains("Buffer"), "says what is accepted: " + e.getMessage());
  }

  @Test
  void nullBodyIsRefused() {
    PipelineException e = assertThrows(PipelineException.class, () -> pipeline("{}").apply(null));
    assertTrue(e.getMessage().contains("unsupported message body null"), e.getMessage());
  }

  @Test
  void otherObjectsAreRefused() {
    PipelineException e = assertThrows(PipelineException.class, () -> pipeline("{}").apply(List.of("a")));
    assertTrue(e.getMessage().startsWith("unsupported message body"), e.getMessage());
  }

  @Test
  void resultSetWithANonObjectItemIsRefusedNamingTheItem() {
    PipelineException e = assertThrows(PipelineException.class,
      () -> pipeline("{}").apply(new JsonArray().add(new JsonObject().put("a", 1)).add(5)));
    assertTrue(e.getMessage().contains("array of objects"), e.getMessage());
    assertTrue(e.getMessage().contains("item 1"), e.getMessage());
    e = assertThrows(PipelineException.class,
      () -> pipeline("{\"sendSingle\":true}").apply(new JsonArray().add(new JsonArray()).add(new JsonObject())));
    assertTrue(e.getMessage().contains("item 0 is an array"), e.getMessage());
    e = assertThrows(PipelineException.class, () -> pipeline("{}").apply(new JsonArray().addNull()));
    assertTrue(e.getMessage().contains("item 0 is null"), e.getMessage());
  }

  @Test
  void aBadResultSetSendsNothingEvenWithSendSingle() {
    // no partial output: the good first row is not sent when a later item is bad
    assertThrows(PipelineException.class,
      () -> pipeline("{\"sendSingle\":true}").apply(new JsonArray().add(new JsonObject().put("a", 1)).add("x")));
  }

  // ---------------------------------------------------------------------------------------- helpers

  private static SinkPipeline pipeline(String extraProps) {
    JsonObject props = new JsonObject(extraProps);
    props.put("path", "/out");
    return new SinkPipeline(WebSocketActionProps.parse(props), null);
  }

  private static JsonArray rows(String... rows) {
    JsonArray a = new JsonArray();
    for (String r : rows) {
      a.add(new JsonObject(r));
    }
    return a;
  }

  /** The text of every frame, failing if one is binary. */
  private static List<String> texts(List<Frame> frames) {
    return frames.stream().map(f -> {
      assertTrue(f.isText(), "expected a text frame, got binary " + f.payload());
      return f.text();
    }).toList();
  }
}
