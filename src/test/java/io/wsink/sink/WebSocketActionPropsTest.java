package io.wsink.sink;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.wsink.tls.ClientTls;
import io.wsink.tls.TestCerts;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link WebSocketActionProps#parse} against SPEC §4 and the simple common sink properties of §5. */
class WebSocketActionPropsTest {

  @TempDir
  static Path dir;
  private static TestCerts certs;

  @BeforeAll
  static void createCerts() {
    certs = TestCerts.create(dir);
  }

  // ---------------------------------------------------------------------------------------- defaults

  @Test
  void onlyAPathGivesEveryDefaultOfTheTable() {
    WebSocketActionProps p = parse("{\"path\":\"/data\"}");
    assertEquals("", p.addr());
    assertFalse(p.clientMode(), "empty addr is server mode");
    assertEquals("/data", p.path());
    assertEquals("ws", p.scheme());
    assertFalse(p.ssl());
    assertEquals(ClientTls.NONE, p.tls());
    assertFalse(p.tls().anySet());
    assertFalse(p.checkConnection());
    assertEquals(Map.of(), p.requestHeader());
    assertEquals(FrameType.AUTO, p.frameType());
    assertEquals(30_000, p.pingInterval());
    assertEquals(-1, p.maxConnRetry());
    assertEquals(Overflow.DROP_OLDEST, p.overflow());
    assertEquals(1_048_576, p.clientQueueBytes());
    // §5 common properties
    assertFalse(p.sendSingle());
    assertFalse(p.omitIfEmpty());
    assertEquals(1024, p.bufferLength());
    assertNull(p.fields());
    assertEquals("", p.dataField());
  }

  @Test
  void everyPropertyTakesANonDefaultValue() {
    WebSocketActionProps p = parse(new JsonObject()
      .put("addr", "example.com:9000")
      .put("path", "/api")
      .put("scheme", "wss")
      .put("insecureSkipVerify", true)
      .put("checkConnection", true)
      .put("requestHeader", new JsonObject().put("Authorization", "Bearer x"))
      .put("frameType", "binary")
      .put("pingInterval", 5000)
      .put("maxConnRetry", 5)
      .put("overflow", "disconnect")
      .put("clientQueueBytes", 2048)
      .put("sendSingle", true)
      .put("omitIfEmpty", true)
      .put("bufferLength", 10)
      .put("fields", new JsonArray().add("b").add("a"))
      .put("dataField", "payload"));
    assertEquals("example.com:9000", p.addr());
    assertTrue(p.clientMode());
    assertEquals("/api", p.path());
    assertEquals("wss", p.scheme());
    assertTrue(p.ssl());
    assertTrue(p.tls().insecureSkipVerify());
    assertTrue(p.checkConnection());
    assertEquals(Map.of("Authorization", List.of("Bearer x")), p.requestHeader());
    assertEquals(FrameType.BINARY, p.frameType());
    assertEquals(5000, p.pingInterval());
    assertEquals(5, p.maxConnRetry());
    assertEquals(Overflow.DISCONNECT, p.overflow());
    assertEquals(2048, p.clientQueueBytes());
    assertTrue(p.sendSingle());
    assertTrue(p.omitIfEmpty());
    assertEquals(10, p.bufferLength());
    assertEquals(List.of("b", "a"), p.fields());
    assertEquals("payload", p.dataField());
    assertEquals("example.com", p.host());
    assertEquals(9000, p.port());
    assertEquals("/api", p.uri());
    assertEquals("wss://example.com:9000/api", p.url());
  }

  @Test
  void tlsPathsAreKeptAndImplyWss() {
    WebSocketActionProps p = parse(new JsonObject()
      .put("addr", "localhost")
      .put("path", "/a")
      .put("certificationPath", certs.clientCert().toString())
      .put("privateKeyPath", certs.clientKey().toString())
      .put("rootCaPath", certs.caCert().toString()));
    assertEquals(new ClientTls(false, certs.clientCert().toString(), certs.clientKey().toString(),
      certs.caCert().toString(), "", "", ""), p.tls());
    assertEquals("wss", p.scheme());
    assertEquals(443, p.port(), "wss without a port dials 443");
  }

  @Test
  void tlsRawValuesAreKeptAndImplyWss() {
    String cert = TestCerts.base64(certs.clientCert());
    String key = TestCerts.base64(certs.clientKey());
    String ca = TestCerts.base64(certs.caCert());
    WebSocketActionProps p = parse(new JsonObject()
      .put("addr", "localhost:9443")
      .put("path", "/a")
      .put("certificationRaw", cert)
      .put("privateKeyRaw", key)
      .put("rootCARaw", ca));
    assertEquals(new ClientTls(false, "", "", "", cert, key, ca), p.tls());
    assertEquals("wss", p.scheme());
    assertEquals("wss://localhost:9443/a", p.url());
  }

  // ---------------------------------------------------------------------------------------- aliases and case

  @Test
  void addressIsAnAliasOfAddr() {
    WebSocketActionProps p = parse("{\"address\":\"localhost:9000\",\"path\":\"/a\"}");
    assertEquals("localhost:9000", p.addr());
    assertTrue(p.clientMode());
    assertEquals(9000, p.port());
  }

  @Test
  void datasourceIsAnAliasOfPath() {
    assertEquals("/api/data", parse("{\"datasource\":\"/api/data\"}").path());
  }

  @Test
  void certficationRawIsTheDocsSpellingOfCertificationRaw() {
    String cert = TestCerts.base64(certs.clientCert());
    WebSocketActionProps p = parse(new JsonObject()
      .put("addr", "localhost:9443")
      .put("path", "/a")
      .put("certficationRaw", cert)
      .put("privateKeyRaw", TestCerts.base64(certs.clientKey())));
    assertEquals(cert, p.tls().certificationRaw());
  }

  @Test
  void rootCAPathSpellingIsAccepted() {
    WebSocketActionProps p = parse(new JsonObject()
      .put("addr", "localhost:9443").put("path", "/a").put("rootCAPath", certs.caCert().toString()));
    assertEquals(certs.caCert().toString(), p.tls().rootCaPath());
  }

  @Test
  void tableDataFieldIsAnAliasOfDataField() {
    assertEquals("rows", parse("{\"path\":\"/a\",\"tableDataField\":\"rows\"}").dataField());
  }

  @Test
  void namesMatchCaseInsensitively() {
    WebSocketActionProps p = parse(new JsonObject()
      .put("ADDR", "localhost:9443")
      .put("Path", "/a")
      .put("CheckConnection", true)
      .put("ROOTCAPATH", certs.caCert().toString())
      .put("SENDSINGLE", true)
      .put("pinginterval", 0)
      .put("bufferlength", 7));
    assertEquals("localhost:9443", p.addr());
    assertEquals("/a", p.path());
    assertTrue(p.checkConnection());
    assertEquals(certs.caCert().toString(), p.tls().rootCaPath());
    assertTrue(p.sendSingle());
    assertEquals(0, p.pingInterval());
    assertEquals(7, p.bufferLength());
  }

  @Test
  void aliasAndCanonicalNameTogetherAreRefused() {
    String m = refused("{\"path\":\"/a\",\"datasource\":\"/b\"}");
    assertTrue(m.contains("\"path\" is given twice"), m);
    assertTrue(m.contains("\"datasource\""), m);
    m = refused("{\"path\":\"/a\",\"addr\":\"h:1\",\"address\":\"h:2\"}");
    assertTrue(m.contains("\"addr\" is given twice"), m);
  }

  @Test
  void twoCasingsOfOneNameAreRefused() {
    String m = refused("{\"path\":\"/a\",\"checkConnection\":true,\"CHECKCONNECTION\":false}");
    assertTrue(m.contains("\"checkConnection\" is given twice"), m);
    assertTrue(m.contains("\"CHECKCONNECTION\""), m);
    m = refused(new JsonObject().put("path", "/a").put("rootCaPath", "x.pem").put("rootCAPath", "y.pem"));
    assertTrue(m.contains("\"rootCaPath\" is given twice"), m);
  }

  // ---------------------------------------------------------------------------------------- wrong types

  @Test
  void quotedBooleanIsRefusedNamingTheProperty() {
    String m = refused("{\"path\":\"/a\",\"checkConnection\":\"true\"}");
    assertTrue(m.contains("\"checkConnection\""), m);
    assertTrue(m.contains("must be a boolean"), m);
    assertTrue(m.contains("\"true\""), "says what was given: " + m);
  }

  @Test
  void quotedIntegerIsRefusedNamingTheProperty() {
    String m = refused("{\"path\":\"/a\",\"pingInterval\":\"5\"}");
    assertTrue(m.contains("\"pingInterval\""), m);
    assertTrue(m.contains("must be an integer"), m);
  }

  @Test
  void fieldsMustBeAnArrayOfStrings() {
    String m = refused("{\"path\":\"/a\",\"fields\":\"a\"}");
    assertTrue(m.contains("\"fields\"") && m.contains("must be an array of strings"), m);
    m = refused("{\"path\":\"/a\",\"fields\":[\"a\",1]}");
    assertTrue(m.contains("\"fields\"") && m.contains("must be an array of strings"), m);
  }

  @Test
  void requestHeaderMustBeAnObject() {
    String m = refused("{\"path\":\"/a\",\"requestHeader\":\"x\"}");
    assertTrue(m.contains("\"requestHeader\"") && m.contains("must be an object"), m);
  }

  @Test
  void fractionalIntegerIsRefused() {
    String m = refused("{\"path\":\"/a\",\"bufferLength\":1.5}");
    assertTrue(m.contains("\"bufferLength\"") && m.contains("must be an integer"), m);
    m = refused("{\"path\":\"/a\",\"maxConnRetry\":2.5}");
    assertTrue(m.contains("\"maxConnRetry\"") && m.contains("must be an integer"), m);
  }

  @Test
  void wholeNumberWrittenWithADecimalPointIsAnInteger() {
    assertEquals(5, parse("{\"path\":\"/a\",\"maxConnRetry\":5.0}").maxConnRetry());
  }

  @Test
  void integerBeyondIntRangeIsRefused() {
    String m = refused("{\"path\":\"/a\",\"clientQueueBytes\":4294967296}");
    assertTrue(m.contains("\"clientQueueBytes\"") && m.contains("must be an integer"), m);
  }

  @Test
  void stringPropertyGivenANumberIsRefused() {
    String m = refused("{\"path\":\"/a\",\"addr\":9000}");
    assertTrue(m.contains("\"addr\"") && m.contains("must be a string"), m);
    m = refused("{\"path\":5}");
    assertTrue(m.contains("\"path\"") && m.contains("must be a string"), m);
  }

  @Test
  void wrongTypeNamesThePropertyAsTheUserSpelledIt() {
    String m = refused("{\"path\":\"/a\",\"SENDSINGLE\":1}");
    assertTrue(m.contains("\"SENDSINGLE\""), m);
  }

  // ---------------------------------------------------------------------------------------- unknown names

  @Test
  void unknownPropertySuggestsTheNearestName() {
    String m = refused("{\"pth\":\"/a\"}");
    assertTrue(m.contains("unknown property \"pth\""), m);
    assertTrue(m.contains("did you mean \"path\""), m);
    m = refused("{\"path\":\"/a\",\"sendSingel\":true}");
    assertTrue(m.contains("unknown property \"sendSingel\""), m);
    assertTrue(m.contains("did you mean \"sendSingle\""), m);
  }

  @Test
  void farOffUnknownPropertyHasNoSuggestion() {
    String m = refused("{\"path\":\"/a\",\"qwertyuiop\":true}");
    assertTrue(m.contains("unknown property \"qwertyuiop\""), m);
    assertFalse(m.contains("did you mean"), m);
  }

  @Test
  void unknownPropertyIsRefusedEvenWithANullValue() {
    String m = refused("{\"path\":\"/a\",\"pth\":null}");
    assertTrue(m.contains("unknown property \"pth\""), m);
  }

  // ---------------------------------------------------------------------------------------- path

  @ParameterizedTest
  @ValueSource(strings = {"{}", "{\"path\":\"\"}", "{\"path\":null}", "{\"addr\":\"localhost:9000\"}"})
  void missingPathHasEKuipersMessage(String json) {
    assertEquals("websocket sink conf path should be defined", refused(json));
  }

  @ParameterizedTest
  @ValueSource(strings = {"api", "api/data", " /api"})
  void pathWithoutLeadingSlashHasEKuipersMessage(String path) {
    assertEquals("websocket endpoint should start with /", refused(new JsonObject().put("path", path)));
    assertEquals("websocket endpoint should start with /",
      refused(new JsonObject().put("path", path).put("addr", "localhost:9000")));
  }

  @Test
  void clientPathKeepsItsQueryString() {
    WebSocketActionProps p = parse("{\"addr\":\"localhost:9000\",\"path\":\"/api?token=x\"}");
    assertEquals("/api?token=x", p.uri());
    assertEquals("ws://localhost:9000/api?token=******", p.url(), "url() is for logs and status: query values masked");
  }

  @Test
  void serverEndpointWithAQueryStringIsRefused() {
    String m = refused("{\"path\":\"/api?token=x\"}");
    assertTrue(m.contains("without query"), m);
    assertTrue(m.contains("/api?token=x"), m);
  }

  // ---------------------------------------------------------------------------------------- mode and addr

  @Test
  void emptyOrNullAddrIsServerMode() {
    assertFalse(parse("{\"addr\":\"\",\"path\":\"/a\"}").clientMode());
    assertFalse(parse("{\"addr\":null,\"path\":\"/a\"}").clientMode());
  }

  @Test
  void hostPortIsClientMode() {
    WebSocketActionProps p = parse("{\"addr\":\"127.0.0.1:9000\",\"path\":\"/a\"}");
    assertTrue(p.clientMode());
    assertEquals("127.0.0.1", p.host());
    assertEquals(9000, p.port());
    assertEquals("ws", p.scheme());
    assertFalse(p.ssl());
    assertEquals("ws://127.0.0.1:9000/a", p.url());
  }

  @Test
  void wsUrlGivesHostAndPort() {
    WebSocketActionProps p = parse("{\"addr\":\"ws://localhost:9000\",\"path\":\"/a\"}");
    assertEquals("localhost", p.host());
    assertEquals(9000, p.port());
    assertEquals("ws", p.scheme());
    assertEquals("ws://localhost:9000/a", p.url());
  }

  @Test
  void wssUrlGivesTheWssScheme() {
    WebSocketActionProps p = parse("{\"addr\":\"wss://example.com:8443\",\"path\":\"/a\"}");
    assertEquals("wss", p.scheme());
    assertTrue(p.ssl());
    assertEquals("example.com", p.host());
    assertEquals(8443, p.port());
  }

  @Test
  void urlWithATrailingSlashOnlyIsAccepted() {
    WebSocketActionProps p = parse("{\"addr\":\"ws://localhost:9000/\",\"path\":\"/a\"}");
    assertEquals("ws://localhost:9000/a", p.url());
  }

  @ParameterizedTest
  @ValueSource(strings = {"[::1]:9000", "ws://[::1]:9000"})
  void bracketedIpv6Literal(String addr) {
    WebSocketActionProps p = parse(new JsonObject().put("addr", addr).put("path", "/a"));
    assertEquals("::1", p.host());
    assertEquals(9000, p.port());
    assertEquals("ws://[::1]:9000/a", p.url());
  }

  @ParameterizedTest
  @CsvSource({
    "example.com, , 80",
    "ws://example.com, , 80",
    "wss://example.com, , 443",
    "example.com, wss, 443",
    "[::1], , 80"})
  void hostWithoutPortGetsTheSchemesDefaultPort(String addr, String scheme, int port) {
    JsonObject raw = new JsonObject().put("addr", addr).put("path", "/a");
    if (scheme != null) {
      raw.put("scheme", scheme);
    }
    assertEquals(port, parse(raw).port());
  }

  @ParameterizedTest
  @ValueSource(strings = {"localhost:abc", "localhost:0", "localhost:65536", "localhost:", "ws://localhost:99999",
    "localhost:-1"})
  void badPortIsRefused(String addr) {
    String m = refused(new JsonObject().put("addr", addr).put("path", "/a"));
    assertTrue(m.contains("invalid port"), m);
    assertTrue(m.contains(addr), "names the value: " + m);
  }

  @Test
  void urlWithAPathIsRefused() {
    String m = refused("{\"addr\":\"ws://localhost:9000/api\",\"path\":\"/a\"}");
    assertTrue(m.contains("must not contain a path"), m);
    assertTrue(m.contains("put it in path"), "says what to do: " + m);
  }

  @ParameterizedTest
  @ValueSource(strings = {"http://localhost:9000", "https://localhost:9000", "tcp://localhost:9000"})
  void nonWebSocketSchemeInAddrIsRefused(String addr) {
    String m = refused(new JsonObject().put("addr", addr).put("path", "/a"));
    assertTrue(m.contains("ws:// or wss://"), m);
  }

  @Test
  void addrWithoutAHostIsRefused() {
    String m = refused("{\"addr\":\":9000\",\"path\":\"/a\"}");
    assertTrue(m.contains("property addr must name a host"), m);
  }

  @Test
  void unterminatedIpv6LiteralIsRefused() {
    String m = refused("{\"addr\":\"[::1:9000\",\"path\":\"/a\"}");
    assertTrue(m.contains("IPv6"), m);
  }

  /**
   * SPEC §4: addr is host:port or a ws:// URL; the query belongs in path. A query written in addr (a common way to pass
   * a token) must not vanish silently: either it is refused or it reaches the dialled URI.
   */
  @Test
  void queryStringInAddrIsNotSilentlyDropped() {
    JsonObject raw = new JsonObject().put("addr", "ws://localhost:9000?token=x").put("path", "/a");
    WebSocketActionProps p;
    try {
      p = WebSocketActionProps.parse(raw);
    } catch (PropertyException refusedIsFine) {
      return;
    }
    assertTrue(p.url().contains("token=x"), "addr's query string was dropped: dials " + p.url());
  }

  /** "::1" is not host:port; taking it as host ":" port 1 dials nonsense. Refuse it or read it as the IPv6 host. */
  @Test
  void unbracketedIpv6AddrIsNotMisreadAsHostAndPort() {
    JsonObject raw = new JsonObject().put("addr", "::1").put("path", "/a");
    WebSocketActionProps p;
    try {
      p = WebSocketActionProps.parse(raw);
    } catch (PropertyException refusedIsFine) {
      return;
    }
    assertEquals("::1", p.host(), "addr \"::1\" read as host \"" + p.host() + "\" port " + p.port());
  }

  /** User info in a ws:// URL is no part of the host: taking "user:pw@localhost" as the host name dials nothing. */
  @Test
  void userInfoInAddrIsNotTakenAsPartOfTheHost() {
    JsonObject raw = new JsonObject().put("addr", "ws://user:pw@localhost:9000").put("path", "/a");
    WebSocketActionProps p;
    try {
      p = WebSocketActionProps.parse(raw);
    } catch (PropertyException refusedIsFine) {
      return;
    }
    assertEquals("localhost", p.host(), "dials " + p.url());
  }

  // ---------------------------------------------------------------------------------------- scheme

  @Test
  void explicitSchemeIsUsed() {
    WebSocketActionProps p = parse("{\"addr\":\"localhost:9443\",\"path\":\"/a\",\"scheme\":\"wss\"}");
    assertEquals("wss", p.scheme());
    assertTrue(p.ssl());
    assertEquals("ws", parse("{\"addr\":\"localhost:9000\",\"path\":\"/a\",\"scheme\":\"ws\"}").scheme());
    assertEquals("wss", parse("{\"addr\":\"localhost:9443\",\"path\":\"/a\",\"scheme\":\"WSS\"}").scheme());
  }

  @Test
  void schemeOtherThanWsOrWssIsRefused() {
    String m = refused("{\"addr\":\"localhost:9000\",\"path\":\"/a\",\"scheme\":\"http\"}");
    assertTrue(m.contains("scheme must be ws or wss"), m);
    assertTrue(m.contains("http"), m);
  }

  @Test
  void anyTlsPropertyInfersWss() {
    assertEquals("wss", parse("{\"addr\":\"localhost:9443\",\"path\":\"/a\",\"insecureSkipVerify\":true}").scheme());
    assertEquals("wss", parse(new JsonObject().put("addr", "localhost:9443").put("path", "/a")
      .put("rootCARaw", TestCerts.base64(certs.caCert()))).scheme());
    assertEquals("ws", parse("{\"addr\":\"localhost:9000\",\"path\":\"/a\",\"insecureSkipVerify\":false}").scheme(),
      "insecureSkipVerify false is no TLS property");
  }

  @Test
  void explicitWsWithTlsPropertiesIsRefused() {
    String m = refused("{\"addr\":\"localhost:9000\",\"path\":\"/a\",\"scheme\":\"ws\",\"insecureSkipVerify\":true}");
    assertTrue(m.contains("TLS properties are set but the scheme is ws"), m);
    m = refused(new JsonObject().put("addr", "ws://localhost:9000").put("path", "/a")
      .put("rootCaPath", certs.caCert().toString()));
    assertTrue(m.contains("TLS properties are set but the scheme is ws"), m);
  }

  @ParameterizedTest
  @CsvSource({"ws, wss://localhost:9443", "wss, ws://localhost:9000"})
  void schemeContradictingTheUrlIsRefused(String scheme, String addr) {
    String m = refused(new JsonObject().put("addr", addr).put("path", "/a").put("scheme", scheme));
    assertTrue(m.contains("contradicts"), m);
    assertTrue(m.contains(addr), m);
  }

  @Test
  void schemeAgreeingWithTheUrlIsAccepted() {
    assertEquals("wss", parse("{\"addr\":\"wss://localhost:9443\",\"path\":\"/a\",\"scheme\":\"wss\"}").scheme());
  }

  // ---------------------------------------------------------------------------------------- requestHeader

  @Test
  void requestHeaderValueMayBeAStringOrAList() {
    WebSocketActionProps p = parse("{\"addr\":\"localhost:9000\",\"path\":\"/a\",\"requestHeader\":"
      + "{\"Authorization\":\"Bearer x\",\"X-Tag\":[\"a\",\"b\"]}}");
    assertEquals(List.of("Bearer x"), p.requestHeader().get("Authorization"));
    assertEquals(List.of("a", "b"), p.requestHeader().get("X-Tag"));
    assertEquals(List.of("Authorization", "X-Tag"), List.copyOf(p.requestHeader().keySet()), "order kept");
  }

  @ParameterizedTest
  @ValueSource(strings = {"1", "true", "{\"a\":\"b\"}", "[\"a\",2]", "null"})
  void requestHeaderValueOfAnotherTypeIsRefusedNamingTheHeader(String value) {
    String m = refused("{\"addr\":\"localhost:9000\",\"path\":\"/a\",\"requestHeader\":{\"X-Bad\":" + value + "}}");
    assertTrue(m.contains("requestHeader \"X-Bad\""), m);
    assertTrue(m.contains("must be a string or an array of strings"), m);
  }

  // ---------------------------------------------------------------------------------------- enumerations

  @ParameterizedTest
  @CsvSource({"drop-oldest, DROP_OLDEST", "drop-newest, DROP_NEWEST", "disconnect, DISCONNECT",
    "DROP-NEWEST, DROP_NEWEST", "Disconnect, DISCONNECT", "block, BLOCK", "Block, BLOCK"})
  void overflowValuesAreCaseInsensitive(String value, Overflow expected) {
    assertEquals(expected, parse(new JsonObject().put("path", "/a").put("overflow", value)).overflow());
  }

  @Test
  void badOverflowIsRefusedListingTheValues() {
    String m = refused("{\"path\":\"/a\",\"overflow\":\"drop\"}");
    assertTrue(m.contains("overflow"), m);
    assertTrue(m.contains("drop-oldest") && m.contains("drop-newest") && m.contains("disconnect")
      && m.contains("block"), m);
    assertTrue(m.contains("\"drop\""), m);
  }

  @ParameterizedTest
  @CsvSource({"auto, AUTO", "text, TEXT", "binary, BINARY", "TEXT, TEXT", "Binary, BINARY"})
  void frameTypeValues(String value, FrameType expected) {
    assertEquals(expected, parse(new JsonObject().put("path", "/a").put("frameType", value)).frameType());
  }

  @Test
  void badFrameTypeIsRefused() {
    String m = refused("{\"path\":\"/a\",\"frameType\":\"json\"}");
    assertTrue(m.contains("frameType must be one of auto, text, binary"), m);
    assertTrue(m.contains("\"json\""), m);
  }

  // ---------------------------------------------------------------------------------------- numbers

  @ParameterizedTest
  @ValueSource(ints = {-1, 0, 5})
  void maxConnRetryAcceptsMinusOneZeroAndPositive(int value) {
    assertEquals(value, parse(new JsonObject().put("addr", "localhost:9000").put("path", "/a")
      .put("maxConnRetry", value)).maxConnRetry());
  }

  @Test
  void maxConnRetryBelowMinusOneIsRefused() {
    String m = refused("{\"addr\":\"localhost:9000\",\"path\":\"/a\",\"maxConnRetry\":-2}");
    assertTrue(m.contains("maxConnRetry") && m.contains("-2"), m);
  }

  @Test
  void pingIntervalZeroDisablesPings() {
    assertEquals(0, parse("{\"path\":\"/a\",\"pingInterval\":0}").pingInterval());
  }

  @Test
  void negativePingIntervalIsRefused() {
    String m = refused("{\"path\":\"/a\",\"pingInterval\":-1}");
    assertTrue(m.contains("pingInterval") && m.contains("-1"), m);
  }

  @ParameterizedTest
  @ValueSource(ints = {0, -1})
  void clientQueueBytesMustBePositive(int value) {
    String m = refused(new JsonObject().put("path", "/a").put("clientQueueBytes", value));
    assertTrue(m.contains("clientQueueBytes") && m.contains("positive"), m);
  }

  @ParameterizedTest
  @ValueSource(ints = {0, -5})
  void bufferLengthMustBePositive(int value) {
    String m = refused(new JsonObject().put("path", "/a").put("bufferLength", value));
    assertTrue(m.contains("bufferLength") && m.contains("positive"), m);
  }

  // ---------------------------------------------------------------------------------------- format

  @ParameterizedTest
  @ValueSource(strings = {"json", "JSON"})
  void formatJsonIsAccepted(String format) {
    assertEquals("/a", parse(new JsonObject().put("path", "/a").put("format", format)).path());
  }

  @ParameterizedTest
  @ValueSource(strings = {"json", "delimited", "binary", "DELIMITED"})
  void everyFormatOfTheSpecIsAccepted(String format) {
    assertEquals(format.toLowerCase(java.util.Locale.ROOT),
      parse(new JsonObject().put("path", "/a").put("format", format)).format());
  }

  @Test
  void unknownFormatIsRefused() {
    String m = refused("{\"path\":\"/a\",\"format\":\"xml\"}");
    assertTrue(m.contains("should be one of json, delimited, binary"), m);
    assertTrue(m.contains("\"xml\""), m);
  }

  @Test
  void delimiterIsAKnownStringProperty() {
    assertEquals("/a", parse("{\"path\":\"/a\",\"delimiter\":\";\"}").path());
    String m = refused("{\"path\":\"/a\",\"delimiter\":1}");
    assertTrue(m.contains("\"delimiter\"") && m.contains("must be a string"), m);
  }

  // ---------------------------------------------------------------------------------------- concurrency

  @Test
  void concurrencyIsOneUnlessGivenAndFoundCaseInsensitively() {
    assertEquals(1, parse("{\"path\":\"/a\"}").concurrency());
    assertEquals(4, parse("{\"path\":\"/a\",\"CONCURRENCY\":4}").concurrency());
    assertEquals(WebSocketActionProps.MAX_CONCURRENCY,
      parse("{\"path\":\"/a\",\"concurrency\":" + WebSocketActionProps.MAX_CONCURRENCY + "}").concurrency());
  }

  @Test
  void concurrencyMustBeAPositiveIntegerAsInEkuiperAndBounded() {
    assertEquals("invalid type for concurrency property, should be positive integer but found 0",
      refused("{\"path\":\"/a\",\"concurrency\":0}"));
    assertEquals("invalid type for concurrency property, should be positive integer but found -2",
      refused("{\"path\":\"/a\",\"concurrency\":-2}"));
    assertEquals("property concurrency must be at most 64 sink instances; got 65",
      refused("{\"path\":\"/a\",\"concurrency\":65}"));
    String m = refused("{\"path\":\"/a\",\"concurrency\":1.5}");
    assertTrue(m.contains("\"concurrency\"") && m.contains("must be an integer"), m);
  }

  @Test
  void resourceIdIsAcceptedEmptyOutsideANode() {
    assertEquals("/a", parse("{\"path\":\"/a\",\"RESOURCEID\":\"\"}").path());
  }

  @Test
  void cachePropertiesCheckTheirType() {
    String m = refused("{\"path\":\"/a\",\"enableCache\":\"false\"}");
    assertTrue(m.contains("\"enableCache\"") && m.contains("must be a boolean"), m);
    m = refused("{\"path\":\"/a\",\"memoryCacheThreshold\":\"1\"}");
    assertTrue(m.contains("\"memoryCacheThreshold\"") && m.contains("must be an integer"), m);
  }

  @Test
  void cachePropertiesAreReadAndUnsetOnesFollowTheNode() {
    WebSocketActionProps p = parse("{\"addr\":\"h:1\",\"path\":\"/a\",\"ENABLECACHE\":true,\"bufferPageSize\":5,"
      + "\"resendIndicatorField\":\"resent\"}");
    assertEquals(Boolean.TRUE, p.enableCache());
    assertEquals(5, p.bufferPageSize());
    assertEquals(null, p.memoryCacheThreshold(), "not given: the node's sink: default applies");
    assertEquals("resent", p.resendIndicatorField());
  }

  @Test
  void anUnresolvedResourceIdSaysOnlyANodeResolvesIt() {
    String m = refused("{\"path\":\"/a\",\"resourceId\":\"edge\"}");
    assertTrue(m.contains("conf/sinks/websocket.yaml") && m.contains("standalone"), m);
  }

  // ---------------------------------------------------------------------------------------- JSON null

  @Test
  void jsonNullReadsAsNotGiven() {
    WebSocketActionProps p = parse("{\"path\":\"/a\",\"addr\":null,\"pingInterval\":null,\"overflow\":null,"
      + "\"fields\":null,\"requestHeader\":null,\"checkConnection\":null,\"enableCache\":null,\"batchSize\":null}");
    assertFalse(p.clientMode());
    assertEquals(30_000, p.pingInterval());
    assertEquals(Overflow.DROP_OLDEST, p.overflow());
    assertNull(p.fields());
    assertEquals(Map.of(), p.requestHeader());
    assertFalse(p.checkConnection());
  }

  @Test
  void nullStillCountsForTheGivenTwiceCheck() {
    String m = refused("{\"path\":\"/a\",\"pingInterval\":null,\"PINGINTERVAL\":5}");
    assertTrue(m.contains("given twice"), m);
  }

  // ---------------------------------------------------------------------------------------- TLS validation

  @Test
  void invalidBase64InRootCARawIsRefusedNamingIt() {
    String m = refused("{\"addr\":\"localhost:9443\",\"path\":\"/a\",\"rootCARaw\":\"not base64 !!\"}");
    assertTrue(m.startsWith("rootCARaw: not valid base64"), m);
  }

  @Test
  void base64WithoutACertificateIsRefused() {
    String m = refused(new JsonObject().put("addr", "localhost:9443").put("path", "/a")
      .put("rootCARaw", TestCerts.base64(certs.clientKey())));
    assertTrue(m.startsWith("rootCARaw: the decoded text holds no PEM certificate"), m);
  }

  @Test
  void missingCertificationPathFileIsRefusedNamingIt() {
    Path missing = dir.resolve("nope.pem");
    String m = refused(new JsonObject().put("addr", "localhost:9443").put("path", "/a")
      .put("certificationPath", missing.toString()).put("privateKeyPath", certs.clientKey().toString()));
    assertTrue(m.startsWith("certificationPath: file not found"), m);
    assertTrue(m.contains(missing.toString()), m);
  }

  @Test
  void relativeMissingPathNamesTheWorkingDirectory() {
    String m = refused("{\"addr\":\"localhost:9443\",\"path\":\"/a\",\"rootCaPath\":\"no/such/ca.pem\"}");
    assertTrue(m.startsWith("rootCaPath: file not found"), m);
    assertTrue(m.contains(Path.of("").toAbsolutePath().toString()), m);
  }

  @Test
  void privateKeyPathWithoutCertificationPathIsRefused() {
    String m = refused(new JsonObject().put("addr", "localhost:9443").put("path", "/a")
      .put("privateKeyPath", certs.clientKey().toString()));
    assertTrue(m.startsWith("certificationPath: required when privateKeyPath is set"), m);
  }

  @Test
  void certificationRawWithoutPrivateKeyRawIsRefused() {
    String m = refused(new JsonObject().put("addr", "localhost:9443").put("path", "/a")
      .put("certficationRaw", TestCerts.base64(certs.clientCert())));
    assertTrue(m.startsWith("privateKeyRaw: required when certificationRaw is set"), m);
  }

  @Test
  void aPathWinsOverItsRawTwin() {
    WebSocketActionProps p = parse(new JsonObject().put("addr", "localhost:9443").put("path", "/a")
      .put("rootCaPath", certs.caCert().toString()).put("rootCARaw", "not base64 !!"));
    assertEquals(certs.caCert().toString(), p.tls().rootCaPath());
  }

  // ---------------------------------------------------------------------------------------- helpers

  private static WebSocketActionProps parse(String json) {
    return WebSocketActionProps.parse(new JsonObject(json));
  }

  private static WebSocketActionProps parse(JsonObject json) {
    return WebSocketActionProps.parse(json);
  }

  private static String refused(String json) {
    return refused(new JsonObject(json));
  }

  private static String refused(JsonObject json) {
    PropertyException e = assertThrows(PropertyException.class, () -> WebSocketActionProps.parse(json),
      "should be refused: " + json.encode());
    assertTrue(e.getMessage() != null && !e.getMessage().isBlank());
    return e.getMessage();
  }
}
