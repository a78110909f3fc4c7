package io.wsink.pipeline;

import com.github.luben.zstd.Zstd;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.wsink.sink.PropertyException;
import io.wsink.sink.WebSocketActionProps;
import org.junit.jupiter.api.Test;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.zip.GZIPInputStream;
import java.util.zip.Inflater;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The wiring of the §5 stages into {@link SinkPipeline}: properties parsed by {@link WebSocketActionProps#parse}, the
 * pipeline built with the node's AES key, frames checked the way a peer reads them — text as sent, compressed frames
 * by the JDK's and zstd-jni's decoders, encrypted frames by the JDK's {@link Cipher}. The template engine and the
 * codecs have their own tests; this one shows that each stage is applied, in §5.1 order, to the right input.
 */
class PipelineStagesTest {

  /** A 16-byte AES-128 key, as {@code sink.aesKey} decodes. */
  private static final byte[] KEY = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
  private static final JsonObject ROW = new JsonObject().put("temperature", 22.5).put("id", "s1");
  private static final String ROW_JSON = "{\"temperature\":22.5,\"id\":\"s1\"}";

  // ------------------------------------------------------------------------------------------------ dataTemplate

  @Test
  void templateOnARowWithSendSingleIsTheFrameText() throws Exception {
    SinkPipeline p = pipeline("{\"sendSingle\":true,\"dataTemplate\":\"{\\\"t\\\":{{.temperature}}}\"}");
    List<Frame> frames = p.apply(ROW);
    assertEquals(List.of("{\"t\":22.5}"), texts(frames));
  }

  @Test
  void templateWithSendSingleRendersEachRowOfAResultSet() throws Exception {
    SinkPipeline p = pipeline("{\"sendSingle\":true,\"dataTemplate\":\"id={{.id}}\"}");
    assertEquals(List.of("id=a", "id=b"), texts(p.apply(rows("{\"id\":\"a\"}", "{\"id\":\"b\"}"))));
  }

  @Test
  void templateWithoutSendSingleSeesTheArray() throws Exception {
    SinkPipeline p = pipeline("{\"dataTemplate\":\"{{range .}}{{.a}},{{end}}\"}");
    assertEquals(List.of("1,2,3,"), texts(p.apply(rows("{\"a\":1}", "{\"a\":2}", "{\"a\":3}"))));
    assertEquals(List.of("7,"), texts(p.apply(new JsonObject().put("a", 7))),
      "without sendSingle a single row is a result set of one");
    assertEquals(List.of("1"), texts(pipeline("{\"dataTemplate\":\"{{len .}}\"}").apply(new JsonObject().put("a", 7))));
  }

  @Test
  void templateSeesABatchAsOneArray() throws Exception {
    // the sink hands a batch to encode() as one Rows payload: the template sees all of its rows at once
    SinkPipeline p = pipeline("{\"dataTemplate\":\"{{len .}}:{{range .}}{{.n}}{{end}}\"}");
    Payload batch = new Payload.Rows(List.of(new JsonObject().put("n", 1), new JsonObject().put("n", 2),
      new JsonObject().put("n", 3)));
    assertEquals(List.of("3:123"), texts(p.encode(batch)));
  }

  @Test
  void templateExecutionErrorIsAPipelineExceptionAndThePipelineKeepsWorking() throws Exception {
    // comparing a string with a number is an execution error in Go's text/template
    SinkPipeline p = pipeline("{\"sendSingle\":true,\"dataTemplate\":\"{{if lt .temperature 30.0}}ok{{end}}\"}");
    PipelineException e = assertThrows(PipelineException.class,
      () -> p.apply(new JsonObject().put("temperature", "hot")));
    assertTrue(e.getMessage().startsWith("fail to encode data with dataTemplate for error "), e.getMessage());
    assertTrue(e.getMessage().length() > "fail to encode data with dataTemplate for error ".length(), e.getMessage());
    assertEquals(List.of("ok"), texts(p.apply(ROW)), "the next message renders");
  }

  @Test
  void invalidTemplateIsRefusedByParse() {
    PropertyException e = assertThrows(PropertyException.class,
      () -> parse("{\"dataTemplate\":\"{{.a\"}"));
    assertTrue(e.getMessage().startsWith("property dataTemplate "), e.getMessage());
    assertTrue(e.getMessage().contains("is invalid"), e.getMessage());

    PropertyException unknownFunction = assertThrows(PropertyException.class,
      () -> parse("{\"dataTemplate\":\"{{nosuchfunction .a}}\"}"));
    assertTrue(unknownFunction.getMessage().startsWith("property dataTemplate "), unknownFunction.getMessage());
    assertTrue(unknownFunction.getMessage().contains("nosuchfunction"), unknownFunction.getMessage());
  }

  // -------------------------------------------------------------------------------- dataTemplate + dataField/fields

  @Test
  void templateOutputIsParsedAsJsonThenDataFieldApplies() throws Exception {
    SinkPipeline p = pipeline("{\"sendSingle\":true,\"dataField\":\"tele\","
      + "\"dataTemplate\":\"{\\\"tele\\\":{\\\"t\\\":{{.temperature}},\\\"id\\\":\\\"{{.id}}\\\"},\\\"x\\\":1}\"}");
    assertEquals(List.of("{\"t\":22.5,\"id\":\"s1\"}"), texts(p.apply(ROW)));
  }

  @Test
  void templateOutputIsParsedAsJsonThenFieldsApply() throws Exception {
    SinkPipeline p = pipeline("{\"sendSingle\":true,\"fields\":[\"c\",\"a\"],"
      + "\"dataTemplate\":\"{\\\"a\\\":{{.a}},\\\"b\\\":\\\"{{.b}}\\\",\\\"c\\\":3}\"}");
    assertEquals(List.of("{\"c\":3,\"a\":1}"), texts(p.apply(new JsonObject().put("a", 1).put("b", "x"))));
  }

  @Test
  void templateOutputThenDataFieldThenFieldsAsTheEkuiperDocExample() throws Exception {
    // eKuiper's overview: template → {"tele":{...},"id":1}, dataField tele, then fields [humidity, temperature]
    SinkPipeline p = pipeline("{\"sendSingle\":true,\"dataField\":\"tele\",\"fields\":[\"humidity\",\"temperature\"],"
      + "\"dataTemplate\":\"{\\\"tele\\\":{\\\"humidity\\\":{{.h}},\\\"temperature\\\":{{.t}},\\\"id\\\":1},\\\"id\\\":1}\"}");
    assertEquals(List.of("{\"humidity\":80.2,\"temperature\":31.2}"),
      texts(p.apply(new JsonObject().put("h", 80.2).put("t", 31.2))));
  }

  @Test
  void templateOutputArrayThenFieldsKeepsTheFieldsOfEveryRow() throws Exception {
    SinkPipeline p = pipeline("{\"fields\":[\"a\"],\"dataTemplate\":"
      + "\"[{{range $i, $e := .}}{{if $i}},{{end}}{\\\"a\\\":{{$e.a}},\\\"b\\\":2}{{end}}]\"}");
    assertEquals(List.of("[{\"a\":1},{\"a\":2}]"), texts(p.apply(rows("{\"a\":1}", "{\"a\":2}"))));
  }

  @Test
  void nonJsonTemplateOutputWithFieldsIsAPipelineException() throws Exception {
    SinkPipeline p = pipeline("{\"sendSingle\":true,\"fields\":[\"a\"],\"dataTemplate\":\"a={{.a}}\"}");
    PipelineException e = assertThrows(PipelineException.class, () -> p.apply(new JsonObject().put("a", 1)));
    assertTrue(e.getMessage().contains("dataTemplate"), e.getMessage());
    SinkPipeline withDataField = pipeline("{\"sendSingle\":true,\"dataField\":\"a\",\"dataTemplate\":\"a={{.a}}\"}");
    assertThrows(PipelineException.class, () -> withDataField.apply(new JsonObject().put("a", 1)));
    // without dataField/fields the same output is fine: it goes out as it is
    assertEquals(List.of("a=1"), texts(pipeline("{\"sendSingle\":true,\"dataTemplate\":\"a={{.a}}\"}")
      .apply(new JsonObject().put("a", 1))));
  }

  @Test
  void templateOutputIsWhatTheFormatEncodes() throws Exception {
    // §5.1: dataTemplate → dataField → fields → format. eKuiper decodes the template's JSON output and encodes that
    // map with a non-JSON format, so a delimited action sends the values, not the template's JSON text
    SinkPipeline p = pipeline("{\"sendSingle\":true,\"format\":\"delimited\",\"delimiter\":\";\","
      + "\"dataTemplate\":\"{\\\"name\\\":\\\"{{.name}}\\\",\\\"id\\\":{{.id}}}\"}");
    assertEquals(List.of("1;x"), texts(p.apply(new JsonObject().put("id", 1).put("name", "x"))));
  }

  // ------------------------------------------------------------------------------------------------------ format

  @Test
  void delimitedWithFieldsAndDelimiterIsATextFrameOfTheValues() throws Exception {
    SinkPipeline p = pipeline("{\"sendSingle\":true,\"format\":\"delimited\",\"fields\":[\"id\",\"name\"],"
      + "\"delimiter\":\";\"}");
    List<Frame> frames = p.apply(new JsonObject().put("name", "x").put("id", 1).put("other", 9));
    assertEquals(List.of("1;x"), texts(frames));
  }

  @Test
  void delimitedResultSetIsOneLinePerRow() throws Exception {
    SinkPipeline p = pipeline("{\"format\":\"delimited\",\"fields\":[\"id\",\"name\"],\"delimiter\":\";\"}");
    List<Frame> frames = p.apply(rows("{\"name\":\"x\",\"id\":1}", "{\"name\":\"y\",\"id\":2}"));
    assertEquals(List.of("1;x\n2;y"), texts(frames));
  }

  @Test
  void binaryFormatSendsTheDecodedBytesOfSelfAsABinaryFrame() throws Exception {
    byte[] bytes = {0, 1, 2, (byte) 0xff, (byte) 0x80, 'z'};
    SinkPipeline p = pipeline("{\"sendSingle\":true,\"format\":\"binary\"}");
    List<Frame> frames = p.apply(new JsonObject().put("self", Base64.getEncoder().encodeToString(bytes)));
    assertEquals(1, frames.size());
    assertArrayEquals(bytes, binary(frames.get(0)));
  }

  @Test
  void binaryFormatWithoutBytesIsAPipelineException() throws Exception {
    SinkPipeline p = pipeline("{\"sendSingle\":true,\"format\":\"binary\"}");
    PipelineException e = assertThrows(PipelineException.class, () -> p.apply(new JsonObject().put("a", 1)));
    assertTrue(e.getMessage().contains("self"), e.getMessage());
  }

  @Test
  void unknownFormatIsRefusedByParse() {
    PropertyException e = assertThrows(PropertyException.class, () -> parse("{\"format\":\"protobuf\"}"));
    assertTrue(e.getMessage().contains("format") && e.getMessage().contains("protobuf"), e.getMessage());
  }

  // ------------------------------------------------------------------------------------------------ compression

  @Test
  void gzipFrameIsABinaryFrameThatGzipInputStreamReads() throws Exception {
    List<Frame> frames = pipeline("{\"compression\":\"gzip\"}").apply(ROW);
    assertEquals("[" + ROW_JSON + "]", gunzip(binary(single(frames))));
  }

  @Test
  void zlibFrameIsABinaryFrameThatInflaterReads() throws Exception {
    List<Frame> frames = pipeline("{\"sendSingle\":true,\"compression\":\"zlib\"}").apply(ROW);
    assertEquals(ROW_JSON, inflate(binary(single(frames)), false));
  }

  @Test
  void flateFrameIsRawDeflateThatANowrapInflaterReads() throws Exception {
    List<Frame> frames = pipeline("{\"sendSingle\":true,\"compression\":\"flate\"}").apply(ROW);
    assertEquals(ROW_JSON, inflate(binary(single(frames)), true));
  }

  @Test
  void zstdFrameIsABinaryFrameThatZstdJniReads() throws Exception {
    List<Frame> frames = pipeline("{\"sendSingle\":true,\"compression\":\"zstd\"}").apply(ROW);
    byte[] data = binary(single(frames));
    long size = Zstd.getFrameContentSize(data);
    assertEquals(ROW_JSON.getBytes(StandardCharsets.UTF_8).length, size, "the frame header carries the content size");
    assertEquals(ROW_JSON, new String(Zstd.decompress(data, (int) size), StandardCharsets.UTF_8));
  }

  @Test
  void compressionAppliesToTheTemplateOutputAndToEveryRowWithSendSingle() throws Exception {
    SinkPipeline p = pipeline("{\"sendSingle\":true,\"compression\":\"gzip\",\"dataTemplate\":\"<{{.a}}>\"}");
    List<Frame> frames = p.apply(rows("{\"a\":1}", "{\"a\":2}"));
    assertEquals(2, frames.size());
    assertEquals("<1>", gunzip(binary(frames.get(0))));
    assertEquals("<2>", gunzip(binary(frames.get(1))));
  }

  @Test
  void compressionAppliesToDelimitedOutput() throws Exception {
    SinkPipeline p = pipeline("{\"format\":\"delimited\",\"fields\":[\"a\",\"b\"],\"compression\":\"zlib\"}");
    assertEquals("1,x\n2,y", inflate(binary(single(p.apply(rows("{\"a\":1,\"b\":\"x\"}", "{\"a\":2,\"b\":\"y\"}")))),
      false));
  }

  @Test
  void rawStringWithCompressionIsABinaryFrameOfItsCompressedUtf8() throws Exception {
    String text = "héllo, not JSON ✓";
    assertEquals(text, gunzip(binary(single(pipeline("{\"compression\":\"gzip\"}").apply(text)))));
    assertEquals(text, inflate(binary(single(pipeline("{\"compression\":\"zlib\"}").apply(text))), false));
  }

  @Test
  void rawBufferWithCompressionIsCompressedToo() throws Exception {
    byte[] bytes = {0, 1, 2, (byte) 0xff, (byte) 0xfe};
    byte[] out = binary(single(pipeline("{\"compression\":\"flate\"}").apply(Buffer.buffer(bytes))));
    assertArrayEquals(bytes, inflateBytes(out, true));
  }

  @Test
  void unknownCompressionIsRefusedByParse() {
    PropertyException e = assertThrows(PropertyException.class, () -> parse("{\"compression\":\"lz4\"}"));
    assertTrue(e.getMessage().contains("compression") && e.getMessage().contains("lz4"), e.getMessage());
  }

  // ------------------------------------------------------------------------------------------------- encryption

  @Test
  void aesCfbIsTheIvThenTheCiphertextThatJdkCipherDecrypts() throws Exception {
    SinkPipeline p = pipeline("{\"sendSingle\":true,\"encryption\":\"aes\"}", KEY);
    byte[] data = binary(single(p.apply(ROW)));
    assertEquals(16 + ROW_JSON.length(), data.length, "16-byte IV, then a ciphertext as long as the plaintext");
    assertEquals(ROW_JSON, decryptCfb(KEY, data));
  }

  @Test
  void aesCfbUsesAFreshIvForEachMessage() throws Exception {
    SinkPipeline p = pipeline("{\"sendSingle\":true,\"encryption\":\"aes\",\"encProps\":{\"mode\":\"cfb\"}}", KEY);
    byte[] first = binary(single(p.apply(ROW)));
    byte[] second = binary(single(p.apply(ROW)));
    assertFalse(Arrays.equals(Arrays.copyOf(first, 16), Arrays.copyOf(second, 16)), "a random IV per message");
    assertEquals(ROW_JSON, decryptCfb(KEY, first));
    assertEquals(ROW_JSON, decryptCfb(KEY, second));
  }

  @Test
  void aesCfbWithA32ByteKey() throws Exception {
    byte[] key = "0123456789abcdef0123456789ABCDEF".getBytes(StandardCharsets.US_ASCII);
    byte[] data = binary(single(pipeline("{\"encryption\":\"aes\"}", key).apply(ROW)));
    assertEquals("[" + ROW_JSON + "]", decryptCfb(key, data));
  }

  @Test
  void aesGcmIsTheNonceThenCiphertextAndTagThatJdkCipherDecrypts() throws Exception {
    SinkPipeline p = pipeline("{\"sendSingle\":true,\"encryption\":\"aes\",\"encProps\":{\"mode\":\"gcm\"}}", KEY);
    byte[] data = binary(single(p.apply(ROW)));
    assertEquals(12 + ROW_JSON.length() + 16, data.length, "12-byte nonce, ciphertext, 16-byte tag");
    assertEquals(ROW_JSON, decryptGcm(KEY, data));
  }

  @Test
  void fixedIvIsTheIvPrefix() throws Exception {
    byte[] iv = "fixed-iv-16bytes".getBytes(StandardCharsets.US_ASCII);
    SinkPipeline p = pipeline("{\"sendSingle\":true,\"encryption\":\"aes\",\"encProps\":{\"iv\":\""
      + Base64.getEncoder().encodeToString(iv) + "\"}}", KEY);
    byte[] first = binary(single(p.apply(ROW)));
    byte[] second = binary(single(p.apply(ROW)));
    assertArrayEquals(iv, Arrays.copyOf(first, 16));
    assertArrayEquals(first, second, "a fixed IV makes the output deterministic");
    assertEquals(ROW_JSON, decryptCfb(KEY, first));
  }

  @Test
  void fixedNonceIsTheGcmPrefix() throws Exception {
    byte[] nonce = "twelve-bytes".getBytes(StandardCharsets.US_ASCII);
    SinkPipeline p = pipeline("{\"sendSingle\":true,\"encryption\":\"aes\",\"encProps\":{\"mode\":\"gcm\",\"iv\":\""
      + Base64.getEncoder().encodeToString(nonce) + "\"}}", KEY);
    byte[] data = binary(single(p.apply(ROW)));
    assertArrayEquals(nonce, Arrays.copyOf(data, 12));
    assertEquals(ROW_JSON, decryptGcm(KEY, data));
  }

  @Test
  void compressionThenEncryptionDecryptsThenDecompressesToTheJson() throws Exception {
    SinkPipeline p = pipeline("{\"sendSingle\":true,\"compression\":\"zlib\",\"encryption\":\"aes\"}", KEY);
    byte[] data = binary(single(p.apply(ROW)));
    byte[] compressed = decryptCfbBytes(KEY, data);
    assertEquals(ROW_JSON, inflate(compressed, false));

    SinkPipeline gcm = pipeline("{\"compression\":\"gzip\",\"encryption\":\"aes\",\"encProps\":{\"mode\":\"gcm\"}}", KEY);
    byte[] sealed = binary(single(gcm.apply(ROW)));
    assertEquals("[" + ROW_JSON + "]", gunzip(decryptGcmBytes(KEY, sealed)));
  }

  @Test
  void rawStringWithEncryptionIsEncryptedUtf8() throws Exception {
    String text = "plain ✓";
    byte[] data = binary(single(pipeline("{\"encryption\":\"aes\"}", KEY).apply(text)));
    assertEquals(text, decryptCfb(KEY, data));
  }

  @Test
  void encryptionWithoutAKeyIsRefused() {
    WebSocketActionProps props = parse("{\"encryption\":\"aes\"}");
    IllegalArgumentException none = assertThrows(IllegalArgumentException.class, () -> new SinkPipeline(props, null));
    assertEquals(SinkPipeline.NO_AES_KEY, none.getMessage());
    IllegalArgumentException empty = assertThrows(IllegalArgumentException.class,
      () -> new SinkPipeline(props, new byte[0]));
    assertEquals(SinkPipeline.NO_AES_KEY, empty.getMessage());
  }

  @Test
  void aKeyIsNotNeededWithoutEncryption() throws Exception {
    assertEquals(List.of("[" + ROW_JSON + "]"), texts(new SinkPipeline(parse("{}"), null).apply(ROW)));
    assertEquals(List.of("[" + ROW_JSON + "]"), texts(new SinkPipeline(parse("{}"), KEY).apply(ROW)),
      "a node key alone does not encrypt");
  }

  @Test
  void unknownEncryptionIsRefusedByParse() {
    PropertyException e = assertThrows(PropertyException.class, () -> parse("{\"encryption\":\"des\"}"));
    assertTrue(e.getMessage().contains("encryption") && e.getMessage().contains("des"), e.getMessage());
  }

  @Test
  void unknownEncPropsKeyIsRefusedWithASuggestion() {
    PropertyException e = assertThrows(PropertyException.class,
      () -> parse("{\"encryption\":\"aes\",\"encProps\":{\"mdoe\":\"gcm\"}}"));
    assertTrue(e.getMessage().contains("encProps.mdoe"), e.getMessage());
    assertTrue(e.getMessage().contains("did you mean \"mode\""), e.getMessage());
  }

  @Test
  void ivOfTheWrongLengthIsRefusedByParse() {
    String eight = Base64.getEncoder().encodeToString(new byte[8]);
    PropertyException cfb = assertThrows(PropertyException.class,
      () -> parse("{\"encryption\":\"aes\",\"encProps\":{\"iv\":\"" + eight + "\"}}"));
    assertTrue(cfb.getMessage().contains("16 bytes") && cfb.getMessage().contains("cfb"), cfb.getMessage());

    String sixteen = Base64.getEncoder().encodeToString(new byte[16]);
    PropertyException gcm = assertThrows(PropertyException.class,
      () -> parse("{\"encryption\":\"aes\",\"encProps\":{\"mode\":\"gcm\",\"iv\":\"" + sixteen + "\"}}"));
    assertTrue(gcm.getMessage().contains("12 bytes") && gcm.getMessage().contains("gcm"), gcm.getMessage());

    PropertyException notBase64 = assertThrows(PropertyException.class,
      () -> parse("{\"encryption\":\"aes\",\"encProps\":{\"iv\":\"not base64!\"}}"));
    assertTrue(notBase64.getMessage().contains("encProps.iv"), notBase64.getMessage());
  }

  @Test
  void unknownModeIsRefusedByParse() {
    PropertyException e = assertThrows(PropertyException.class,
      () -> parse("{\"encryption\":\"aes\",\"encProps\":{\"mode\":\"xyz\"}}"));
    assertTrue(e.getMessage().contains("encProps.mode") && e.getMessage().contains("xyz"), e.getMessage());
    assertTrue(e.getMessage().contains("cfb") && e.getMessage().contains("gcm"), e.getMessage());
  }

  @Test
  void encPropsWithoutEncryptionIsRefusedByParse() {
    PropertyException e = assertThrows(PropertyException.class, () -> parse("{\"encProps\":{\"mode\":\"gcm\"}}"));
    assertTrue(e.getMessage().contains("encProps") && e.getMessage().contains("encryption"), e.getMessage());
  }

  // -------------------------------------------------------------------------------------------------- frameType

  @Test
  void frameTypeTextIsRefusedWithCompressionEncryptionOrBinaryFormat() {
    for (String extra : List.of("\"compression\":\"gzip\"", "\"encryption\":\"aes\"", "\"format\":\"binary\"")) {
      PropertyException e = assertThrows(PropertyException.class, () -> parse("{\"frameType\":\"text\"," + extra + "}"),
        extra);
      assertTrue(e.getMessage().contains("frameType text"), e.getMessage());
    }
  }

  @Test
  void frameTypeBinarySendsTheJsonAsABinaryFrame() throws Exception {
    SinkPipeline p = pipeline("{\"frameType\":\"binary\"}");
    assertEquals("[" + ROW_JSON + "]", utf8(binary(single(p.apply(ROW)))));
    SinkPipeline tpl = pipeline("{\"frameType\":\"binary\",\"sendSingle\":true,\"dataTemplate\":\"t={{.temperature}}\"}");
    assertEquals("t=22.5", utf8(binary(single(tpl.apply(ROW)))));
    SinkPipeline delimited = pipeline("{\"frameType\":\"binary\",\"sendSingle\":true,\"format\":\"delimited\","
      + "\"fields\":[\"id\"]}");
    assertEquals("s1", utf8(binary(single(delimited.apply(ROW)))));
  }

  @Test
  void frameTypeTextIsAcceptedForTemplateAndDelimitedOutput() throws Exception {
    assertEquals(List.of("t=22.5"), texts(pipeline("{\"frameType\":\"text\",\"sendSingle\":true,"
      + "\"dataTemplate\":\"t={{.temperature}}\"}").apply(ROW)));
    assertEquals(List.of("s1"), texts(pipeline("{\"frameType\":\"text\",\"sendSingle\":true,\"format\":\"delimited\","
      + "\"fields\":[\"id\"]}").apply(ROW)));
  }

  // --------------------------------------------------------------------------------------- none of the stages

  @Test
  void withoutAnyStageTheFramesAreTheSameAsBefore() throws Exception {
    assertEquals(List.of("[" + ROW_JSON + "]"), texts(pipeline("{}").apply(ROW)));
    assertEquals(List.of(ROW_JSON), texts(pipeline("{\"sendSingle\":true}").apply(ROW)));
    assertEquals(List.of("[{\"a\":1},{\"a\":2}]"), texts(pipeline("{}").apply(rows("{\"a\":1}", "{\"a\":2}"))));
    assertEquals(List.of("{\"a\":1}", "{\"a\":2}"),
      texts(pipeline("{\"sendSingle\":true}").apply(rows("{\"a\":1}", "{\"a\":2}"))));
    assertEquals(List.of("{\"c\":3,\"a\":1,\"x\":null}"),
      texts(pipeline("{\"sendSingle\":true,\"fields\":[\"c\",\"a\",\"x\"]}")
        .apply(new JsonObject().put("a", 1).put("b", 2).put("c", 3))));
    assertEquals(List.of("{\"t\":1}"), texts(pipeline("{\"dataField\":\"p\"}")
      .apply(rows("{\"p\":{\"t\":1}}", "{\"p\":{\"t\":2}}"))));
    assertEquals(List.of("[]"), texts(pipeline("{}").apply(new JsonArray())));
    assertEquals(List.of("raw text"), texts(pipeline("{}").apply("raw text")));
    assertArrayEquals(new byte[] {1, 2, 3}, binary(single(pipeline("{}").apply(Buffer.buffer(new byte[] {1, 2, 3})))));
    assertArrayEquals(new byte[] {4, 5}, binary(single(pipeline("{}").apply(new byte[] {4, 5}))));
  }

  @Test
  void explicitDefaultsChangeNothing() throws Exception {
    // every stage property at its neutral value: the same frames as a rule without them
    SinkPipeline p = pipeline("{\"format\":\"json\",\"frameType\":\"auto\",\"compression\":\"\",\"encryption\":\"\","
      + "\"dataTemplate\":\"\",\"batchSize\":0,\"lingerInterval\":0,\"delimiter\":\",\"}", KEY);
    assertEquals(List.of("[" + ROW_JSON + "]"), texts(p.apply(ROW)));
    assertEquals(List.of("raw"), texts(p.apply("raw")));
  }

  @Test
  void classifyOmittedEncodeComposeToApply() throws Exception {
    SinkPipeline p = pipeline("{\"omitIfEmpty\":true}");
    Payload rows = p.classify(rows("{\"a\":1}", "{\"a\":2}"));
    assertEquals(new Payload.Rows(List.of(new JsonObject().put("a", 1), new JsonObject().put("a", 2))), rows);
    assertFalse(p.omitted(rows));
    assertEquals(List.of("[{\"a\":1},{\"a\":2}]"), texts(p.encode(rows)));
    assertTrue(p.omitted(p.classify(new JsonObject())));
    assertFalse(p.omitted(p.classify("")), "a raw payload is never omitted");
    assertTrue(p.classify("x") instanceof Payload.Text);
    assertTrue(p.classify(Buffer.buffer("x")) instanceof Payload.Binary);
    PipelineException e = assertThrows(PipelineException.class, () -> p.classify(42));
    assertTrue(e.getMessage().contains("java.lang.Integer"), e.getMessage());
  }

  // ---------------------------------------------------------------------------------------------------- helpers

  private static WebSocketActionProps parse(String props) {
    return WebSocketActionProps.parse(new JsonObject(props).put("path", "/out"));
  }

  private static SinkPipeline pipeline(String props) {
    return pipeline(props, null);
  }

  private static SinkPipeline pipeline(String props, byte[] key) {
    return new SinkPipeline(parse(props), key);
  }

  private static JsonArray rows(String... rows) {
    JsonArray out = new JsonArray();
    for (String r : rows) {
      out.add(new JsonObject(r));
    }
    return out;
  }

  private static List<String> texts(List<Frame> frames) {
    for (Frame f : frames) {
      assertTrue(f.isText(), "expected a text frame, got binary " + f.payload());
    }
    return frames.stream().map(Frame::text).toList();
  }

  private static Frame single(List<Frame> frames) {
    assertEquals(1, frames.size(), "frames: " + frames.stream().map(Frame::payload).toList());
    return frames.get(0);
  }

  private static byte[] binary(Frame frame) {
    assertFalse(frame.isText(), "expected a binary frame, got text " + frame.payload());
    return frame.binary().getBytes();
  }

  private static String utf8(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }

  private static String gunzip(byte[] data) throws Exception {
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(data))) {
      return utf8(in.readAllBytes());
    }
  }

  private static String inflate(byte[] data, boolean nowrap) throws Exception {
    return utf8(inflateBytes(data, nowrap));
  }

  private static byte[] inflateBytes(byte[] data, boolean nowrap) throws Exception {
    Inflater inflater = new Inflater(nowrap);
    try {
      // a raw deflate stream needs one extra dummy byte at the end (Inflater's documented nowrap quirk)
      byte[] input = nowrap ? Arrays.copyOf(data, data.length + 1) : data;
      inflater.setInput(input);
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      byte[] chunk = new byte[256];
      for (int i = 0; i < 100_000 && !inflater.finished(); i++) {
        int n = inflater.inflate(chunk);
        if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
          break;
        }
        out.write(chunk, 0, n);
      }
      assertTrue(inflater.finished(), "the stream is complete");
      return out.toByteArray();
    } finally {
      inflater.end();
    }
  }

  private static String decryptCfb(byte[] key, byte[] data) throws Exception {
    return utf8(decryptCfbBytes(key, data));
  }

  private static byte[] decryptCfbBytes(byte[] key, byte[] data) throws Exception {
    Cipher cipher = Cipher.getInstance("AES/CFB/NoPadding");
    cipher.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "AES"), new IvParameterSpec(data, 0, 16));
    return cipher.doFinal(data, 16, data.length - 16);
  }

  private static String decryptGcm(byte[] key, byte[] data) throws Exception {
    return utf8(decryptGcmBytes(key, data));
  }

  private static byte[] decryptGcmBytes(byte[] key, byte[] data) throws Exception {
    Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
    cipher.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, data, 0, 12));
    return cipher.doFinal(data, 12, data.length - 12);
  }
}
