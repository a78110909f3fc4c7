package io.wsink.config;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(VertxExtension.class)
class ConfigLoaderTest {

  private static final String PORT_RULE = "must be an integer from 0 to 65535";

  @TempDir
  Path dir;

  @AfterEach
  void clearSystemProperty() {
    System.clearProperty("store.dir");
  }

  // ---- layers and precedence ------------------------------------------------------------------------------------

  @Test
  void packagedDefaultsApplyWhenConfDirIsAbsent(Vertx vertx, VertxTestContext ctx) {
    expectSettings(vertx, ctx, confDir(dir.resolve("missing")), Map.of(), new Properties(), s -> {
      assertEquals(new RestSettings("127.0.0.1", 9081, List.of()), s.rest());
      assertEquals(new StoreSettings("data"), s.store());
      assertEquals(new SinkDefaults(false, 1024, 1024000, 256, 0, false, ""), s.sink());
      assertEquals(new ClusterSettings(false, "127.0.0.1", 0, "cluster.xml"), s.cluster());
      assertEquals(new DataServerSettings("0.0.0.0", 10081, null), s.source());
      assertEquals(new MetricsSettings(true), s.metrics());
    });
  }

  @Test
  void metricsCanBeSwitchedOff(Vertx vertx, VertxTestContext ctx) {
    expectSettings(vertx, ctx, confDir(dir), Map.of("WSINK__METRICS__ENABLED", "false"), new Properties(),
        s -> assertEquals(new MetricsSettings(false), s.metrics()));
  }

  @Test
  void metricsEnabledTakesOnlyABoolean(Vertx vertx, VertxTestContext ctx) {
    expectError(vertx, ctx, confDir(dir), Map.of("WSINK__METRICS__ENABLED", "off"), new Properties(),
        "environment WSINK__METRICS__ENABLED: metrics.enabled: must be true or false, got \"off\"");
  }

  @Test
  void aFileValueOverridesTheDefaultKeyByKey(Vertx vertx, VertxTestContext ctx) throws IOException {
    write("wsink.yaml", "rest:\n  port: 9999\nsink:\n  enableCache: true\n");
    write("sources/websocket.yaml", "source:\n  httpServerPort: 10090\n");
    expectSettings(vertx, ctx, confDir(dir), Map.of(), new Properties(), s -> {
      assertEquals(9999, s.rest().port());
      assertEquals("127.0.0.1", s.rest().ip(), "keys the file does not set keep their default");
      assertTrue(s.sink().enableCache());
      assertEquals(1024, s.sink().memoryCacheThreshold());
      assertEquals(new DataServerSettings("0.0.0.0", 10090, null), s.source());
    });
  }

  @Test
  void eitherFileMayBeMissing(Vertx vertx, VertxTestContext ctx) throws IOException {
    write("sources/websocket.yaml", "source:\n  httpServerIp: 127.0.0.2\n");
    expectSettings(vertx, ctx, confDir(dir), Map.of(), new Properties(), s -> {
      assertEquals("127.0.0.2", s.source().httpServerIp());
      assertEquals(9081, s.rest().port());
    });
  }

  @Test
  void aFileWithOnlyCommentsChangesNothing(Vertx vertx, VertxTestContext ctx) throws IOException {
    write("wsink.yaml", "# everything commented out\n# rest:\n#   port: 1\n");
    write("sources/websocket.yaml", "source:\n  # httpServerPort: 1\n");
    expectSettings(vertx, ctx, confDir(dir), Map.of(), new Properties(), s -> {
      assertEquals(9081, s.rest().port());
      assertEquals(10081, s.source().httpServerPort());
    });
  }

  @Test
  void environmentOverridesFilesWithUpperCaseKeysAndJsonValues(Vertx vertx, VertxTestContext ctx) throws IOException {
    write("sources/websocket.yaml", "source:\n  httpServerPort: 10090\n");
    Map<String, String> env = Map.of(
        "WSINK__SOURCE__HTTPSERVERPORT", "10082",
        "WSINK__REST__TOKENS", "[\"t1\",\"t2\"]",
        "WSINK__CLUSTER__ENABLED", "true",
        "WSINK__CLUSTER__HOST", "10.0.0.5",
        "PATH", "/usr/bin",
        "WSINK_HOME", "/opt/wsink");
    expectSettings(vertx, ctx, confDir(dir), env, new Properties(), s -> {
      assertEquals(10082, s.source().httpServerPort());
      assertEquals(List.of("t1", "t2"), s.rest().tokens());
      assertEquals(new ClusterSettings(true, "10.0.0.5", 0, "cluster.xml"), s.cluster());
    });
  }

  @Test
  void environmentCanTurnOnTls(Vertx vertx, VertxTestContext ctx) throws IOException {
    Path cert = write("server.crt", "cert");
    Path key = write("server.key", "key");
    Map<String, String> env = Map.of(
        "WSINK__SOURCE__HTTPSERVERTLS__CERTFILE", cert.toString(),
        "WSINK__SOURCE__HTTPSERVERTLS__KEYFILE", key.toString());
    expectSettings(vertx, ctx, confDir(dir), env, new Properties(), s ->
        assertEquals(new DataServerSettings.TlsFiles(cert.toString(), key.toString()), s.source().tls()));
  }

  @Test
  void systemPropertiesOverrideFilesAndEnvironmentOverridesThem(Vertx vertx, VertxTestContext ctx) throws IOException {
    write("sources/websocket.yaml", "source:\n  httpServerPort: 10090\n");
    Properties sys = props(
        "source.httpServerPort", "10083",
        "rest.tokens", "[\"a\",\"b\"]",
        "store.dir", "/var/lib/wsink",
        "java.io.tmpdir", "/tmp");
    Map<String, String> env = Map.of("WSINK__STORE__DIR", "/srv/wsink");
    expectSettings(vertx, ctx, confDir(dir), env, sys, s -> {
      assertEquals(10083, s.source().httpServerPort());
      assertEquals(List.of("a", "b"), s.rest().tokens());
      assertEquals("/srv/wsink", s.store().dir(), "environment wins over -D");
    });
  }

  @Test
  void programmaticConfigWinsOverEnvironment(Vertx vertx, VertxTestContext ctx) {
    JsonObject options = confDir(dir)
        .put("rest", new JsonObject().put("port", 9500))
        .put("cluster", new JsonObject().put("enabled", true));
    Map<String, String> env = Map.of("WSINK__REST__PORT", "9400", "WSINK__REST__IP", "0.0.0.0");
    expectSettings(vertx, ctx, options, env, props("rest.port", "9300"), s -> {
      assertEquals(9500, s.rest().port());
      assertEquals("0.0.0.0", s.rest().ip(), "the environment still sets what the program does not");
      assertTrue(s.cluster().enabled());
    });
  }

  @Test
  void programmaticNullSwitchesTlsOff(Vertx vertx, VertxTestContext ctx) throws IOException {
    Path cert = write("server.crt", "cert");
    Path key = write("server.key", "key");
    write("sources/websocket.yaml", "source:\n  httpServerTls:\n    certfile: " + cert + "\n    keyfile: " + key + "\n");
    JsonObject options = confDir(dir).put("source", new JsonObject().putNull("httpServerTls"));
    expectSettings(vertx, ctx, options, Map.of(), new Properties(), s -> assertNull(s.source().tls()));
  }

  @Test
  void yamlKeysMatchCaseInsensitively(Vertx vertx, VertxTestContext ctx) throws IOException {
    write("wsink.yaml", "REST:\n  Port: 9123\n  IP: 10.0.0.1\nSink:\n  ENABLECACHE: true\n  memorycachethreshold: 7\n");
    write("sources/websocket.yaml", "Source:\n  HTTPSERVERPORT: 10100\n");
    expectSettings(vertx, ctx, confDir(dir), Map.of(), new Properties(), s -> {
      assertEquals(new RestSettings("10.0.0.1", 9123, List.of()), s.rest());
      assertTrue(s.sink().enableCache());
      assertEquals(7, s.sink().memoryCacheThreshold());
      assertEquals(10100, s.source().httpServerPort());
    });
  }

  @Test
  void tlsFilesAreAccepted(Vertx vertx, VertxTestContext ctx) throws IOException {
    Path cert = write("server.crt", "cert");
    Path key = write("server.key", "key");
    write("sources/websocket.yaml", "source:\n  httpServerTls:\n    certfile: " + cert + "\n    keyfile: " + key + "\n");
    expectSettings(vertx, ctx, confDir(dir), Map.of(), new Properties(), s ->
        assertEquals(new DataServerSettings.TlsFiles(cert.toString(), key.toString()), s.source().tls()));
  }

  @Test
  void aValidAesKeyIsAccepted(Vertx vertx, VertxTestContext ctx) {
    String key = Base64.getEncoder().encodeToString(new byte[32]);
    expectSettings(vertx, ctx, confDir(dir), Map.of("WSINK__SINK__AESKEY", key), new Properties(), s ->
        assertEquals(key, s.sink().aesKey()));
  }

  @Test
  void thePublicEntryPointReadsTheRealSystemProperties(Vertx vertx, VertxTestContext ctx) {
    System.setProperty("store.dir", "from-system-property");
    JsonObject options = confDir(dir.resolve("missing")).put("rest", new JsonObject().put("port", 9555));
    ConfigLoader.load(vertx, options).onComplete(ctx.succeeding(s -> ctx.verify(() -> {
      assertEquals(9555, s.rest().port());
      assertEquals("from-system-property", s.store().dir());
      ctx.completeNow();
    })));
  }

  // ---- errors: one line naming origin, key and problem --------------------------------------------------------

  @Test
  void portOutOfRangeInAFile(Vertx vertx, VertxTestContext ctx) throws IOException {
    write("wsink.yaml", "rest:\n  port: 70000\n");
    expectError(vertx, ctx, confDir(dir), Map.of(), new Properties(),
        origin("wsink.yaml") + ": rest.port: " + PORT_RULE + ", got 70000");
  }

  @Test
  void portOutOfRangeInTheEnvironment(Vertx vertx, VertxTestContext ctx) {
    expectError(vertx, ctx, confDir(dir), Map.of("WSINK__REST__PORT", "70000"), new Properties(),
        "environment WSINK__REST__PORT: rest.port: " + PORT_RULE + ", got 70000");
  }

  @Test
  void wrongTypeForAPortInAFile(Vertx vertx, VertxTestContext ctx) throws IOException {
    write("sources/websocket.yaml", "source:\n  httpServerPort: abc\n");
    expectError(vertx, ctx, confDir(dir), Map.of(), new Properties(),
        origin("sources/websocket.yaml") + ": source.httpServerPort: " + PORT_RULE + ", got \"abc\"");
  }

  @Test
  void wrongTypeForAPortInASystemProperty(Vertx vertx, VertxTestContext ctx) {
    expectError(vertx, ctx, confDir(dir), Map.of(), props("source.httpServerPort", "abc"),
        "system property source.httpServerPort: source.httpServerPort: " + PORT_RULE + ", got \"abc\"");
  }

  @Test
  void aFractionIsNotAnInteger(Vertx vertx, VertxTestContext ctx) {
    expectError(vertx, ctx, confDir(dir).put("sink", new JsonObject().put("bufferPageSize", 2.5)), Map.of(),
        new Properties(), "Wsink.deploy config: sink.bufferPageSize: must be an integer > 0, got 2.5");
  }

  @Test
  void aNumberBelowTheMinimum(Vertx vertx, VertxTestContext ctx) {
    expectError(vertx, ctx, confDir(dir), Map.of("WSINK__SINK__MAXDISKCACHE", "-1"), new Properties(),
        "environment WSINK__SINK__MAXDISKCACHE: sink.maxDiskCache: must be an integer >= 0, got -1");
  }

  @Test
  void aYesStringIsNotABoolean(Vertx vertx, VertxTestContext ctx) {
    expectError(vertx, ctx, confDir(dir), Map.of("WSINK__SINK__ENABLECACHE", "yes"), new Properties(),
        "environment WSINK__SINK__ENABLECACHE: sink.enableCache: must be true or false, got \"yes\"");
  }

  @Test
  void aQuotedYesInYamlIsNotABoolean(Vertx vertx, VertxTestContext ctx) throws IOException {
    write("wsink.yaml", "cluster:\n  enabled: \"yes\"\n");
    expectError(vertx, ctx, confDir(dir), Map.of(), new Properties(),
        origin("wsink.yaml") + ": cluster.enabled: must be true or false, got \"yes\"");
  }

  @Test
  void anEmptyStringWhereOneIsRequired(Vertx vertx, VertxTestContext ctx) throws IOException {
    write("wsink.yaml", "store:\n  dir: \"\"\n");
    expectError(vertx, ctx, confDir(dir), Map.of(), new Properties(),
        origin("wsink.yaml") + ": store.dir: must be a non-empty string, got \"\"");
  }

  @Test
  void tokensMustBeAListOfNonEmptyStrings(Vertx vertx, VertxTestContext ctx) {
    expectError(vertx, ctx, confDir(dir), Map.of("WSINK__REST__TOKENS", "[\"t1\",\"\"]"), new Properties(),
        "environment WSINK__REST__TOKENS: rest.tokens[1]: must be a non-empty string, got an empty string");
  }

  @Test
  void aTokenIsNeverEchoed(Vertx vertx, VertxTestContext ctx) {
    expectError(vertx, ctx, confDir(dir), Map.of("WSINK__REST__TOKENS", "s3cret"), new Properties(),
        "environment WSINK__REST__TOKENS: rest.tokens: must be a list of strings, e.g. [\"t1\",\"t2\"] (written as "
            + "JSON in environment variables and -D properties), got a string");
  }

  @Test
  void unknownKeyWithSuggestion(Vertx vertx, VertxTestContext ctx) throws IOException {
    write("wsink.yaml", "rest:\n  prot: 9082\n");
    expectError(vertx, ctx, confDir(dir), Map.of(), new Properties(),
        origin("wsink.yaml") + ": rest.prot: unknown key (did you mean rest.port?)");
  }

  @Test
  void unknownKeyWithoutSuggestionListsTheValidKeys(Vertx vertx, VertxTestContext ctx) throws IOException {
    write("wsink.yaml", "cluster:\n  hazelcastConfig: x.xml\n");
    expectError(vertx, ctx, confDir(dir), Map.of(), new Properties(),
        origin("wsink.yaml") + ": cluster.hazelcastConfig: unknown key (valid keys: cluster.enabled, cluster.host, cluster.port, cluster.config)");
  }

  @Test
  void unknownNestedKeyFromTheEnvironment(Vertx vertx, VertxTestContext ctx) {
    expectError(vertx, ctx, confDir(dir), Map.of("WSINK__SOURCE__HTTPSERVERTLS__CERTFIL", "/x"), new Properties(),
        "environment WSINK__SOURCE__HTTPSERVERTLS__CERTFIL: source.httpServerTls.CERTFIL: unknown key "
            + "(did you mean source.httpServerTls.certfile?)");
  }

  @Test
  void unknownSectionInAFile(Vertx vertx, VertxTestContext ctx) throws IOException {
    write("wsink.yaml", "reest:\n  port: 9082\n");
    expectError(vertx, ctx, confDir(dir), Map.of(), new Properties(),
        origin("wsink.yaml") + ": reest: unknown section (did you mean rest?)");
  }

  @Test
  void unknownSectionInTheEnvironment(Vertx vertx, VertxTestContext ctx) {
    expectError(vertx, ctx, confDir(dir), Map.of("WSINK__LOGGING__LEVEL", "debug"), new Properties(),
        "environment WSINK__LOGGING__LEVEL: LOGGING: unknown section (valid sections: rest, store, sink, cluster, "
            + "metrics, source)");
  }

  @Test
  void unknownKeyInTheProgrammaticConfig(Vertx vertx, VertxTestContext ctx) {
    expectError(vertx, ctx, new JsonObject().put("confDirr", dir.toString()), Map.of(), new Properties(),
        "Wsink.deploy config: confDirr: unknown key (did you mean confDir?)");
  }

  @Test
  void aSectionMustBeAnObject(Vertx vertx, VertxTestContext ctx) throws IOException {
    write("wsink.yaml", "rest: 9081\n");
    expectError(vertx, ctx, confDir(dir), Map.of(), new Properties(),
        origin("wsink.yaml") + ": rest: must be an object with the keys ip, port, tokens, got 9081");
  }

  @Test
  void oneKeyTwiceInDifferentCase(Vertx vertx, VertxTestContext ctx) throws IOException {
    write("wsink.yaml", "rest:\n  port: 1\n  PORT: 2\n");
    expectError(vertx, ctx, confDir(dir), Map.of(), new Properties(),
        origin("wsink.yaml") + ": rest.port: set twice, as port and as PORT");
  }

  @Test
  void unreadableTlsFile(Vertx vertx, VertxTestContext ctx) throws IOException {
    Path key = write("server.key", "key");
    Path missing = dir.resolve("nope.crt");
    write("sources/websocket.yaml",
        "source:\n  httpServerTls:\n    certfile: " + missing + "\n    keyfile: " + key + "\n");
    expectError(vertx, ctx, confDir(dir), Map.of(), new Properties(), origin("sources/websocket.yaml")
        + ": source.httpServerTls.certfile: cannot read file " + missing + " (no such file)");
  }

  @Test
  void aTlsDirectoryIsNotAFile(Vertx vertx, VertxTestContext ctx) throws IOException {
    Path cert = write("server.crt", "cert");
    Map<String, String> env = Map.of(
        "WSINK__SOURCE__HTTPSERVERTLS__CERTFILE", cert.toString(),
        "WSINK__SOURCE__HTTPSERVERTLS__KEYFILE", dir.toString());
    expectError(vertx, ctx, confDir(dir), env, new Properties(), "environment WSINK__SOURCE__HTTPSERVERTLS__KEYFILE: "
        + "source.httpServerTls.keyfile: cannot read file " + dir + " (is a directory)");
  }

  @Test
  void tlsWithoutKeyfile(Vertx vertx, VertxTestContext ctx) throws IOException {
    Path cert = write("server.crt", "cert");
    write("sources/websocket.yaml", "source:\n  httpServerTls:\n    certfile: " + cert + "\n");
    expectError(vertx, ctx, confDir(dir), Map.of(), new Properties(), origin("sources/websocket.yaml")
        + ": source.httpServerTls.keyfile: is required when source.httpServerTls is set");
  }

  @Test
  void aesKeyOfTheWrongLength(Vertx vertx, VertxTestContext ctx) throws IOException {
    write("wsink.yaml", "sink:\n  aesKey: " + Base64.getEncoder().encodeToString(new byte[10]) + "\n");
    expectError(vertx, ctx, confDir(dir), Map.of(), new Properties(), origin("wsink.yaml")
        + ": sink.aesKey: must be empty or the base64 of a 16, 24 or 32 byte AES key, got 10 bytes");
  }

  @Test
  void aesKeyThatIsNotBase64(Vertx vertx, VertxTestContext ctx) {
    expectError(vertx, ctx, confDir(dir), Map.of("WSINK__SINK__AESKEY", "not base64!"), new Properties(),
        "environment WSINK__SINK__AESKEY: sink.aesKey: must be empty or the base64 of a 16, 24 or 32 byte AES key, "
            + "got a value that is not valid base64");
  }

  @Test
  void invalidYamlNamesLineAndColumn(Vertx vertx, VertxTestContext ctx) throws IOException {
    write("wsink.yaml", "rest:\n  port: 1: 2\n");
    expectError(vertx, ctx, confDir(dir), Map.of(), new Properties(),
        origin("wsink.yaml") + ": line 2, column 10: not valid YAML: mapping values are not allowed here");
  }

  @Test
  void aYamlListIsNotAConfiguration(Vertx vertx, VertxTestContext ctx) throws IOException {
    write("wsink.yaml", "- rest\n- sink\n");
    expectError(vertx, ctx, confDir(dir), Map.of(), new Properties(), origin("wsink.yaml")
        + ": (whole file): must be a YAML mapping of sections (rest:, store:, sink:, cluster:, metrics:, "
        + "source:)");
  }

  @Test
  void confDirMustBeADirectory(Vertx vertx, VertxTestContext ctx) throws IOException {
    Path file = write("not-a-dir", "x");
    expectError(vertx, ctx, confDir(file), Map.of(), new Properties(),
        "Wsink.deploy config: confDir: must be a directory, but " + file + " is a file");
  }

  // ---- helpers ----------------------------------------------------------------------------------------------

  private JsonObject confDir(Path path) {
    return new JsonObject().put("confDir", path.toString());
  }

  /** The origin a file under the test's confDir has in messages: its path as given. */
  private String origin(String file) {
    return dir.resolve(file).toString();
  }

  private Path write(String file, String content) throws IOException {
    Path path = dir.resolve(file);
    Files.createDirectories(path.getParent());
    return Files.writeString(path, content);
  }

  private static Properties props(String... keysAndValues) {
    Properties props = new Properties();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      props.setProperty(keysAndValues[i], keysAndValues[i + 1]);
    }
    return props;
  }

  private static void expectSettings(Vertx vertx, VertxTestContext ctx, JsonObject options, Map<String, String> env,
                                     Properties sys, Consumer<WsinkSettings> check) {
    Future<WsinkSettings> loaded = ConfigLoader.load(vertx, options, env, sys);
    loaded.onComplete(ctx.succeeding(settings -> ctx.verify(() -> {
      assertNotNull(settings);
      check.accept(settings);
      ctx.completeNow();
    })));
  }

  private static void expectError(Vertx vertx, VertxTestContext ctx, JsonObject options, Map<String, String> env,
                                  Properties sys, String message) {
    ConfigLoader.load(vertx, options, env, sys).onComplete(ctx.failing(e -> ctx.verify(() -> {
      assertInstanceOf(ConfigException.class, e);
      assertEquals(message, e.getMessage());
      assertTrue(!e.getMessage().contains("\n"), "one line");
      ctx.completeNow();
    })));
  }
}
