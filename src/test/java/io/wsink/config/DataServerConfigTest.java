package io.wsink.config;

import io.vertx.core.Vertx;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.wsink.tls.TestCerts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The data server's access-control keys (§8) in conf/sources/websocket.yaml: defaults, every layer (file, -D,
 * environment, standalone config), and a one-line error naming origin and key for every bad value.
 */
@ExtendWith(VertxExtension.class)
class DataServerConfigTest {

  private static final String POSITIVE = "must be a positive integer, got ";
  private static final String FILE = "sources/websocket.yaml";

  @TempDir
  Path dir;

  // ---- accepted values ------------------------------------------------------------------------------------------

  @Test
  void thePackagedDefaultsLeaveTheServerOpenWithVertxsLimits(Vertx vertx, VertxTestContext ctx) {
    expectSettings(vertx, ctx, confDir(dir.resolve("missing")), Map.of(), new Properties(), s -> {
      assertEquals(List.of(), s.source().allowedOrigins());
      assertEquals(List.of(), s.source().tokens());
      assertEquals(10_000, s.source().maxConnections());
      assertEquals(65_536, s.source().maxFrameSize());
      assertEquals(262_144, s.source().maxMessageSize());
      assertNull(s.source().tls());
    });
  }

  @Test
  void everyKeyFromTheFile(Vertx vertx, VertxTestContext ctx) throws IOException {
    write(FILE, """
        source:
          allowedOrigins: ["https://Dash.Example.com", "http://localhost:8080"]
          tokens: [t1, t2]
          maxConnections: 5
          maxFrameSize: 1024
          maxMessageSize: 4096
        """);
    expectSettings(vertx, ctx, confDir(dir), Map.of(), new Properties(), s -> {
      assertEquals(List.of("https://dash.example.com", "http://localhost:8080"), s.source().allowedOrigins(),
          "origins compare case-insensitively, so they are kept in lower case");
      assertEquals(List.of("t1", "t2"), s.source().tokens());
      assertEquals(5, s.source().maxConnections());
      assertEquals(1024, s.source().maxFrameSize());
      assertEquals(4096, s.source().maxMessageSize());
    });
  }

  @Test
  void environmentAndSystemPropertiesOverrideTheFile(Vertx vertx, VertxTestContext ctx) throws IOException {
    write(FILE, "source:\n  maxConnections: 5\n  tokens: [from-file]\n");
    Map<String, String> env = Map.of(
        "WSINK__SOURCE__MAXCONNECTIONS", "7",
        "WSINK__SOURCE__TOKENS", "[\"e1\",\"e2\"]",
        "WSINK__SOURCE__ALLOWEDORIGINS", "[\"https://a.example\"]");
    Properties sys = new Properties();
    sys.setProperty("source.maxFrameSize", "2048");
    sys.setProperty("source.maxConnections", "6");
    expectSettings(vertx, ctx, confDir(dir), env, sys, s -> {
      assertEquals(7, s.source().maxConnections(), "environment wins over -D and the file");
      assertEquals(List.of("e1", "e2"), s.source().tokens());
      assertEquals(List.of("https://a.example"), s.source().allowedOrigins());
      assertEquals(2048, s.source().maxFrameSize());
    });
  }

  @Test
  void aCaFileAloneRequiresClientCertificates(Vertx vertx, VertxTestContext ctx) {
    TestCerts certs = TestCerts.create(dir.resolve("pki"));
    expectSettings(vertx, ctx, confDir(dir), tlsEnv(certs, Map.of("CAFILE", certs.caCert().toString())),
        new Properties(), s -> assertEquals(new DataServerSettings.TlsFiles(certs.serverCert().toString(),
            certs.serverKey().toString(), certs.caCert().toString(), ClientAuth.REQUIRED), s.source().tls()));
  }

  @Test
  void clientAuthRequestFromTheEnvironmentInAnyCase(Vertx vertx, VertxTestContext ctx) {
    TestCerts certs = TestCerts.create(dir.resolve("pki"));
    expectSettings(vertx, ctx, confDir(dir),
        tlsEnv(certs, Map.of("CAFILE", certs.caCert().toString(), "CLIENTAUTH", "Request")), new Properties(),
        s -> assertEquals(ClientAuth.REQUEST, s.source().tls().clientAuth()));
  }

  @Test
  void withoutCaFileNoClientCertificateIsAsked(Vertx vertx, VertxTestContext ctx) {
    TestCerts certs = TestCerts.create(dir.resolve("pki"));
    expectSettings(vertx, ctx, confDir(dir), tlsEnv(certs, Map.of("CLIENTAUTH", "none")), new Properties(), s -> {
      assertNull(s.source().tls().cafile());
      assertEquals(ClientAuth.NONE, s.source().tls().clientAuth());
    });
  }

  @Test
  void tokensNeverShowInToString(Vertx vertx, VertxTestContext ctx) {
    JsonObject options = confDir(dir)
        .put("source", new JsonObject().put("tokens", new JsonArray().add("s3cr3t-data")))
        .put("rest", new JsonObject().put("tokens", new JsonArray().add("s3cr3t-rest")));
    expectSettings(vertx, ctx, options, Map.of(), new Properties(), s -> {
      assertFalse(s.toString().contains("s3cr3t"), s.toString());
      assertTrue(s.source().toString().contains("tokens=1 (masked)"), s.source().toString());
    });
  }

  @Test
  void aStandaloneSourceBlockTakesTheDefaultsForWhatItLeavesOut() {
    DataServerSettings s = DataServerSettings.fromJson(new JsonObject().put("httpServerPort", 10099)
        .put("TOKENS", new JsonArray().add("t")));
    assertEquals(new DataServerSettings(DataServerSettings.DEFAULT_IP, 10099, null, List.of(), List.of("t"),
        10_000, 65_536, 262_144), s);
  }

  @Test
  void aStandaloneSourceBlockIsCheckedAsStrictlyAsTheFile() {
    ConfigException e = assertThrows(ConfigException.class,
        () -> DataServerSettings.fromJson(new JsonObject().put("maxConnection", 3)));
    assertEquals("WebSocketSinkVerticle config: source.maxConnection: unknown key (did you mean "
        + "source.maxConnections?)", e.getMessage());
    e = assertThrows(ConfigException.class,
        () -> DataServerSettings.fromJson(new JsonObject().put("maxFrameSize", -1)));
    assertEquals("WebSocketSinkVerticle config: source.maxFrameSize: " + POSITIVE + "-1", e.getMessage());
  }

  // ---- refused values: one line naming origin, key and what is accepted -----------------------------------------

  @Test
  void maxConnectionsMustBePositive(Vertx vertx, VertxTestContext ctx) throws IOException {
    write(FILE, "source:\n  maxConnections: 0\n");
    expectError(vertx, ctx, confDir(dir), Map.of(), origin(FILE) + ": source.maxConnections: " + POSITIVE + "0");
  }

  @Test
  void maxConnectionsMustBeANumberNotAString(Vertx vertx, VertxTestContext ctx) throws IOException {
    write(FILE, "source:\n  maxConnections: \"100\"\n");
    expectError(vertx, ctx, confDir(dir), Map.of(),
        origin(FILE) + ": source.maxConnections: " + POSITIVE + "\"100\"");
  }

  @Test
  void maxFrameSizeMustFitAnInt(Vertx vertx, VertxTestContext ctx) {
    expectError(vertx, ctx, confDir(dir), Map.of("WSINK__SOURCE__MAXFRAMESIZE", "3000000000"),
        "environment WSINK__SOURCE__MAXFRAMESIZE: source.maxFrameSize: must be a positive integer and at most "
            + "2147483647, got 3000000000");
  }

  @Test
  void maxMessageSizeBelowMaxFrameSize(Vertx vertx, VertxTestContext ctx) throws IOException {
    write(FILE, "source:\n  maxFrameSize: 4096\n  maxMessageSize: 1024\n");
    expectError(vertx, ctx, confDir(dir), Map.of(),
        origin(FILE) + ": source.maxMessageSize: must be at least source.maxFrameSize (4096), got 1024");
  }

  @Test
  void aFrameSizeAboveTheDefaultMessageSizeNamesTheDefault(Vertx vertx, VertxTestContext ctx) {
    expectError(vertx, ctx, confDir(dir), Map.of("WSINK__SOURCE__MAXFRAMESIZE", "1000000"),
        "environment WSINK__SOURCE__MAXFRAMESIZE: source.maxMessageSize: must be at least source.maxFrameSize "
            + "(1000000), got 262144 (the default)");
  }

  @Test
  void allowedOriginsFromTheEnvironmentMustBeJson(Vertx vertx, VertxTestContext ctx) {
    expectError(vertx, ctx, confDir(dir), Map.of("WSINK__SOURCE__ALLOWEDORIGINS", "https://a.example"),
        "environment WSINK__SOURCE__ALLOWEDORIGINS: source.allowedOrigins: must be a list of origins, e.g. "
            + "[\"https://example.com\"] (written as JSON in environment variables and -D properties), got "
            + "\"https://a.example\"");
  }

  @Test
  void anOriginHasNoPath(Vertx vertx, VertxTestContext ctx) throws IOException {
    write(FILE, "source:\n  allowedOrigins: [\"https://a.example\", \"https://b.example/app\"]\n");
    expectError(vertx, ctx, confDir(dir), Map.of(), origin(FILE) + ": source.allowedOrigins[1]: must be an origin, "
        + "scheme://host[:port] without a path, e.g. https://example.com, got \"https://b.example/app\"");
  }

  @Test
  void anOriginHasAScheme(Vertx vertx, VertxTestContext ctx) throws IOException {
    write(FILE, "source:\n  allowedOrigins: [example.com]\n");
    expectError(vertx, ctx, confDir(dir), Map.of(), origin(FILE) + ": source.allowedOrigins[0]: must be an origin, "
        + "scheme://host[:port] without a path, e.g. https://example.com, got \"example.com\"");
  }

  @Test
  void aBadTokenIsDescribedNeverEchoed(Vertx vertx, VertxTestContext ctx) {
    expectError(vertx, ctx, confDir(dir), Map.of("WSINK__SOURCE__TOKENS", "s3cr3t"),
        "environment WSINK__SOURCE__TOKENS: source.tokens: must be a list of strings, e.g. [\"t1\",\"t2\"] (written "
            + "as JSON in environment variables and -D properties), got a string");
  }

  @Test
  void anEmptyTokenIsRefused(Vertx vertx, VertxTestContext ctx) throws IOException {
    write(FILE, "source:\n  tokens: [ok, \"\"]\n");
    expectError(vertx, ctx, confDir(dir), Map.of(),
        origin(FILE) + ": source.tokens[1]: must be a non-empty string, got an empty string");
  }

  @Test
  void clientAuthMustBeOneOfThree(Vertx vertx, VertxTestContext ctx) {
    TestCerts certs = TestCerts.create(dir.resolve("pki"));
    expectError(vertx, ctx, confDir(dir), tlsEnv(certs, Map.of("CLIENTAUTH", "always")),
        "environment WSINK__SOURCE__HTTPSERVERTLS__CLIENTAUTH: source.httpServerTls.clientAuth: must be one of "
            + "required, request or none, got \"always\"");
  }

  @Test
  void clientAuthRequiredNeedsACaFile(Vertx vertx, VertxTestContext ctx) {
    TestCerts certs = TestCerts.create(dir.resolve("pki"));
    expectError(vertx, ctx, confDir(dir), tlsEnv(certs, Map.of("CLIENTAUTH", "required")),
        "environment WSINK__SOURCE__HTTPSERVERTLS__CLIENTAUTH: source.httpServerTls.clientAuth: is required, which "
            + "needs source.httpServerTls.cafile (the PEM bundle of the CAs that sign client certificates)");
  }

  @Test
  void aCaFileWithClientAuthNoneWouldBeIgnored(Vertx vertx, VertxTestContext ctx) {
    TestCerts certs = TestCerts.create(dir.resolve("pki"));
    expectError(vertx, ctx, confDir(dir),
        tlsEnv(certs, Map.of("CAFILE", certs.caCert().toString(), "CLIENTAUTH", "none")),
        "environment WSINK__SOURCE__HTTPSERVERTLS__CLIENTAUTH: source.httpServerTls.clientAuth: is none, so "
            + "source.httpServerTls.cafile would be ignored: set it to required or request, or remove "
            + "source.httpServerTls.cafile");
  }

  @Test
  void aMissingCaFileStopsStartUp(Vertx vertx, VertxTestContext ctx) throws IOException {
    TestCerts certs = TestCerts.create(dir.resolve("pki"));
    Path missing = dir.resolve("no-ca.pem");
    write(FILE, "source:\n  httpServerTls:\n    certfile: " + certs.serverCert() + "\n    keyfile: "
        + certs.serverKey() + "\n    cafile: " + missing + "\n");
    expectError(vertx, ctx, confDir(dir), Map.of(), origin(FILE)
        + ": source.httpServerTls.cafile: cannot read file " + missing + " (no such file)");
  }

  @Test
  void aCaFileWithoutCertificateStopsStartUp(Vertx vertx, VertxTestContext ctx) throws IOException {
    TestCerts certs = TestCerts.create(dir.resolve("pki"));
    Path notPem = write("ca.der", "\u0000\u0001 not a PEM file");
    expectError(vertx, ctx, confDir(dir), tlsEnv(certs, Map.of("CAFILE", notPem.toString())),
        "environment WSINK__SOURCE__HTTPSERVERTLS__CAFILE: source.httpServerTls.cafile: file " + notPem
            + " holds no PEM certificate (a -----BEGIN CERTIFICATE----- block)");
  }

  @Test
  void aMisspeltTlsKeyGetsTheNearestName(Vertx vertx, VertxTestContext ctx) throws IOException {
    write(FILE, "source:\n  httpServerTls:\n    caFil: /x\n");
    expectError(vertx, ctx, confDir(dir), Map.of(),
        origin(FILE) + ": source.httpServerTls.caFil: unknown key (did you mean source.httpServerTls.cafile?)");
  }

  // ---- helpers --------------------------------------------------------------------------------------------------

  private JsonObject confDir(Path path) {
    return new JsonObject().put("confDir", path.toString());
  }

  private String origin(String file) {
    return dir.resolve(file).toString();
  }

  private Path write(String file, String content) throws IOException {
    Path path = dir.resolve(file);
    Files.createDirectories(path.getParent());
    return Files.writeString(path, content);
  }

  /** Environment turning on TLS with the test server certificate, plus {@code WSINK__SOURCE__HTTPSERVERTLS__<k>}. */
  private static Map<String, String> tlsEnv(TestCerts certs, Map<String, String> more) {
    Map<String, String> env = new java.util.HashMap<>(Map.of(
        "WSINK__SOURCE__HTTPSERVERTLS__CERTFILE", certs.serverCert().toString(),
        "WSINK__SOURCE__HTTPSERVERTLS__KEYFILE", certs.serverKey().toString()));
    more.forEach((key, value) -> env.put("WSINK__SOURCE__HTTPSERVERTLS__" + key, value));
    return env;
  }

  private static void expectSettings(Vertx vertx, VertxTestContext ctx, JsonObject options, Map<String, String> env,
                                     Properties sys, Consumer<WsinkSettings> check) {
    ConfigLoader.load(vertx, options, env, sys).onComplete(ctx.succeeding(settings -> ctx.verify(() -> {
      check.accept(settings);
      ctx.completeNow();
    })));
  }

  private static void expectError(Vertx vertx, VertxTestContext ctx, JsonObject options, Map<String, String> env,
                                  String message) {
    ConfigLoader.load(vertx, options, env, new Properties()).onComplete(ctx.failing(e -> ctx.verify(() -> {
      assertInstanceOf(ConfigException.class, e);
      assertEquals(message, e.getMessage());
      assertFalse(e.getMessage().contains("\n"), "one line");
      assertFalse(e.getMessage().contains("s3cr3t"), "a token is never echoed");
      ctx.completeNow();
    })));
  }
}
