package io.wsink.tls;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLPeerUnverifiedException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(VertxExtension.class)
@io.vertx.junit5.Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
class ClientTlsTest {

  private static final String NO_CLIENT_CERT = "none";

  @TempDir
  static Path dir;
  private static TestCerts certs;

  // kept in fields so they stay referenced until closed after the test
  private HttpServer server;
  private WebSocketClient client;
  private final AtomicInteger serverSockets = new AtomicInteger();

  @BeforeAll
  static void createCerts() {
    certs = TestCerts.create(dir);
  }

  @AfterEach
  void close(VertxTestContext ctx) {
    Future<Void> c = client == null ? Future.succeededFuture() : client.close();
    Future<Void> s = server == null ? Future.succeededFuture() : server.close();
    Future.all(c, s).onComplete(ctx.succeedingThenComplete());
  }

  // ---- real connections ----

  @Test
  void rootCaPathVerifiesTheServer(Vertx vertx, VertxTestContext ctx) {
    ClientTls tls = new ClientTls(false, "", "", str(certs.caCert()), "", "", "");
    serverWith(vertx, certs.serverCert(), false)
        .compose(port -> ask(vertx, tls, "localhost", port))
        .onComplete(ctx.succeeding(who -> ctx.verify(() -> {
          assertEquals(NO_CLIENT_CERT, who);
          ctx.completeNow();
        })));
  }

  @Test
  void rootCaRawVerifiesTheServer(Vertx vertx, VertxTestContext ctx) {
    ClientTls tls = new ClientTls(false, "", "", "", "", "", TestCerts.base64(certs.caCert()));
    serverWith(vertx, certs.serverCert(), false)
        .compose(port -> ask(vertx, tls, "localhost", port))
        .onComplete(ctx.succeeding(who -> ctx.verify(() -> {
          assertEquals(NO_CLIENT_CERT, who);
          ctx.completeNow();
        })));
  }

  @Test
  void withoutACaTheJvmTrustStoreRejectsTheTestCa(Vertx vertx, VertxTestContext ctx) {
    serverWith(vertx, certs.serverCert(), false)
        .compose(port -> ask(vertx, ClientTls.NONE, "localhost", port))
        .onComplete(ctx.failing(err -> ctx.verify(() -> {
          assertTrue(causes(err).contains("unable to find valid certification path"), causes(err));
          assertEquals(0, serverSockets.get());
          ctx.completeNow();
        })));
  }

  @Test
  void hostNameIsVerifiedUnlessInsecure(Vertx vertx, VertxTestContext ctx) {
    // the rogue certificate is trusted here, but it names rogue.invalid, not localhost
    ClientTls tls = new ClientTls(false, "", "", str(certs.rogueCert()), "", "", "");
    serverWith(vertx, certs.rogueCert(), false)
        .compose(port -> ask(vertx, tls, "localhost", port))
        .onComplete(ctx.failing(err -> ctx.verify(() -> {
          assertTrue(causes(err).contains("No subject alternative DNS name matching localhost"), causes(err));
          ctx.completeNow();
        })));
  }

  @Test
  void insecureSkipVerifyAcceptsARogueCertificateOnAnIp(Vertx vertx, VertxTestContext ctx) {
    ClientTls tls = new ClientTls(true, "", "", "", "", "", "");
    serverWith(vertx, certs.rogueCert(), false)
        .compose(port -> ask(vertx, tls, "127.0.0.1", port))
        .onComplete(ctx.succeeding(who -> ctx.verify(() -> {
          assertEquals(NO_CLIENT_CERT, who);
          ctx.completeNow();
        })));
  }

  @Test
  void mutualTlsWithCertificatePaths(Vertx vertx, VertxTestContext ctx) {
    ClientTls tls = new ClientTls(false, str(certs.clientCert()), str(certs.clientKey()), str(certs.caCert()),
        "", "", "");
    serverWith(vertx, certs.serverCert(), true)
        .compose(port -> ask(vertx, tls, "localhost", port))
        .onComplete(ctx.succeeding(who -> ctx.verify(() -> {
          assertEquals("CN=" + TestCerts.CLIENT_CN, who);
          ctx.completeNow();
        })));
  }

  @Test
  void mutualTlsWithRawCertificate(Vertx vertx, VertxTestContext ctx) {
    ClientTls tls = new ClientTls(false, "", "", "",
        TestCerts.base64(certs.clientCert()), TestCerts.base64(certs.clientKey()), TestCerts.base64(certs.caCert()));
    serverWith(vertx, certs.serverCert(), true)
        .compose(port -> ask(vertx, tls, "localhost", port))
        .onComplete(ctx.succeeding(who -> ctx.verify(() -> {
          assertEquals("CN=" + TestCerts.CLIENT_CN, who);
          ctx.completeNow();
        })));
  }

  @Test
  void mutualTlsWithoutAClientCertificateFails(Vertx vertx, VertxTestContext ctx) {
    ClientTls tls = new ClientTls(false, "", "", str(certs.caCert()), "", "", "");
    serverWith(vertx, certs.serverCert(), true)
        .compose(port -> ask(vertx, tls, "localhost", port))
        .onComplete(ctx.failing(err -> ctx.verify(() -> {
          assertEquals(0, serverSockets.get(), "the server must not accept the WebSocket");
          ctx.completeNow();
        })));
  }

  @Test
  void insecureSkipVerifyStillSendsTheClientCertificate(Vertx vertx, VertxTestContext ctx) {
    ClientTls tls = new ClientTls(true, str(certs.clientCert()), str(certs.clientKey()), "", "", "", "");
    serverWith(vertx, certs.serverCert(), true)
        .compose(port -> ask(vertx, tls, "127.0.0.1", port))
        .onComplete(ctx.succeeding(who -> ctx.verify(() -> {
          assertEquals("CN=" + TestCerts.CLIENT_CN, who);
          ctx.completeNow();
        })));
  }

  // ---- applyTo without sockets ----

  @Test
  void applyToKeepsHostVerificationOnUnlessInsecure() {
    WebSocketClientOptions plain = new WebSocketClientOptions();
    ClientTls.NONE.applyTo(plain);
    assertTrue(plain.isSsl());
    assertTrue(plain.isVerifyHost());
    assertFalse(plain.isTrustAll());
    assertNull(plain.getTrustOptions(), "no CA configured means the JVM default trust");

    WebSocketClientOptions insecure = new WebSocketClientOptions();
    new ClientTls(true, "", "", str(certs.caCert()), "", "", "").applyTo(insecure);
    assertTrue(insecure.isSsl());
    assertFalse(insecure.isVerifyHost());
    assertTrue(insecure.isTrustAll());
  }

  @Test
  void applyToPrefersPathsOverRaws() {
    WebSocketClientOptions options = new WebSocketClientOptions();
    new ClientTls(false, str(certs.clientCert()), str(certs.clientKey()), str(certs.caCert()),
        "not base64!", "not base64!", "not base64!").applyTo(options);
    PemKeyCertOptions keyCert = (PemKeyCertOptions) options.getKeyCertOptions();
    assertEquals(List.of(str(certs.clientCert())), keyCert.getCertPaths());
    assertTrue(keyCert.getCertValues().isEmpty());
    PemTrustOptions trust = (PemTrustOptions) options.getTrustOptions();
    assertEquals(List.of(str(certs.caCert())), trust.getCertPaths());
    assertTrue(trust.getCertValues().isEmpty());
  }

  @Test
  void applyToRejectsUndecodableRaw() {
    ClientTls tls = new ClientTls(false, "", "", "", "", "", "%%%");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> tls.applyTo(new WebSocketClientOptions()));
    assertTrue(e.getMessage().startsWith("rootCARaw:"), e.getMessage());
  }

  // ---- anySet / validate ----

  @Test
  void anySetIsTrueForAnyOneProperty() {
    assertFalse(ClientTls.NONE.anySet());
    assertFalse(new ClientTls(false, null, null, null, null, null, null).anySet());
    assertTrue(new ClientTls(true, "", "", "", "", "", "").anySet());
    assertTrue(new ClientTls(false, "x", "", "", "", "", "").anySet());
    assertTrue(new ClientTls(false, "", "x", "", "", "", "").anySet());
    assertTrue(new ClientTls(false, "", "", "x", "", "", "").anySet());
    assertTrue(new ClientTls(false, "", "", "", "x", "", "").anySet());
    assertTrue(new ClientTls(false, "", "", "", "", "x", "").anySet());
    assertTrue(new ClientTls(false, "", "", "", "", "", "x").anySet());
  }

  @Test
  void validConfigurationsHaveNoProblems() {
    assertEquals(List.of(), ClientTls.NONE.validate());
    assertEquals(List.of(), new ClientTls(true, "", "", "", "", "", "").validate());
    assertEquals(List.of(), new ClientTls(false, str(certs.clientCert()), str(certs.clientKey()),
        str(certs.caCert()), "", "", "").validate());
    assertEquals(List.of(), new ClientTls(false, "", "", "", TestCerts.base64(certs.clientCert()),
        TestCerts.base64(certs.clientKey()), TestCerts.base64(certs.caCert())).validate());
  }

  @Test
  void mimeWrappedBase64IsAccepted() throws Exception {
    byte[] pem = java.nio.file.Files.readAllBytes(certs.caCert());
    String mime = Base64.getMimeEncoder().encodeToString(pem) + "\n";
    assertTrue(mime.contains("\r\n"), "the input really is wrapped");
    assertEquals(List.of(), new ClientTls(false, "", "", "", "", "", mime).validate());
  }

  @Test
  void badBase64IsReported() {
    List<String> problems = new ClientTls(false, "", "", "", "", "", "not*base64!").validate();
    assertEquals(1, problems.size(), problems.toString());
    assertTrue(problems.get(0).startsWith("rootCARaw: not valid base64"), problems.get(0));
  }

  @Test
  void base64OfNonPemIsReported() {
    String hello = Base64.getEncoder().encodeToString("hello".getBytes(StandardCharsets.UTF_8));
    List<String> problems = new ClientTls(false, "", "", "", "", "", hello).validate();
    assertEquals(1, problems.size(), problems.toString());
    assertTrue(problems.get(0).startsWith("rootCARaw: the decoded text holds no PEM certificate"), problems.get(0));
  }

  @Test
  void swappedCertificateAndKeyAreReported() {
    List<String> problems = new ClientTls(false, "", "", "", TestCerts.base64(certs.clientKey()),
        TestCerts.base64(certs.clientCert()), "").validate();
    assertEquals(2, problems.size(), problems.toString());
    assertTrue(problems.get(0).startsWith("certificationRaw:"), problems.get(0));
    assertTrue(problems.get(1).startsWith("privateKeyRaw:"), problems.get(1));
  }

  @Test
  void aPemCertificateThatCannotBeParsedIsReportedRawOrInAFile() throws Exception {
    String garbage = "-----BEGIN CERTIFICATE-----\nAAAAnotacertificate\n-----END CERTIFICATE-----\n";
    List<String> problems = new ClientTls(false, "", "", "", "", "",
        Base64.getEncoder().encodeToString(garbage.getBytes(StandardCharsets.US_ASCII))).validate();
    assertEquals(1, problems.size(), problems.toString());
    assertTrue(problems.get(0).startsWith("rootCARaw: the decoded text holds a PEM certificate that cannot be read"),
        problems.get(0));

    Path file = dir.resolve("garbage-ca.pem");
    java.nio.file.Files.writeString(file, garbage);
    problems = new ClientTls(false, "", "", str(file), "", "", "").validate();
    assertEquals(1, problems.size(), problems.toString());
    assertTrue(problems.get(0).startsWith("rootCaPath: file " + file + " holds a PEM certificate that cannot be read"),
        problems.get(0));
  }

  @Test
  void filesThatAreNotPemAreReportedNamingTheProperty() throws Exception {
    Path text = dir.resolve("not-pem.txt");
    java.nio.file.Files.writeString(text, "hostname\n");
    List<String> problems = new ClientTls(false, str(text), str(text), "", "", "", "").validate();
    assertEquals(2, problems.size(), problems.toString());
    assertTrue(problems.get(0).startsWith("certificationPath: file " + text + " holds no PEM certificate"),
        problems.get(0));
    assertTrue(problems.get(1).startsWith("privateKeyPath: file " + text + " holds no PEM private key"),
        problems.get(1));
  }

  @Test
  void aPrivateKeyWhoseBodyIsNotDerIsReported() {
    String fake = "-----BEGIN PRIVATE KEY-----\naGVsbG8gd29ybGQ=\n-----END PRIVATE KEY-----\n"; // "hello world"
    List<String> problems = new ClientTls(false, "", "", "", TestCerts.base64(certs.clientCert()),
        Base64.getEncoder().encodeToString(fake.getBytes(StandardCharsets.US_ASCII)), "").validate();
    assertEquals(1, problems.size(), problems.toString());
    assertTrue(problems.get(0).startsWith("privateKeyRaw: the decoded text holds a PEM private key whose body is not"
        + " a DER key"), problems.get(0));
  }

  @Test
  void missingFileIsReported() {
    String missing = str(dir.resolve("nope.pem"));
    List<String> problems = new ClientTls(false, "", "", missing, "", "", "").validate();
    assertEquals(1, problems.size(), problems.toString());
    assertTrue(problems.get(0).startsWith("rootCaPath: file not found: " + missing), problems.get(0));
  }

  @Test
  void directoryIsNotAFile() {
    List<String> problems = new ClientTls(false, "", "", str(dir), "", "", "").validate();
    assertEquals(1, problems.size(), problems.toString());
    assertTrue(problems.get(0).startsWith("rootCaPath: not a regular file"), problems.get(0));
  }

  @Test
  void relativePathsResolveAgainstTheWorkingDirectory() {
    Path relative = Path.of("").toAbsolutePath().relativize(certs.caCert());
    assertFalse(relative.isAbsolute());
    assertEquals(List.of(), new ClientTls(false, "", "", relative.toString(), "", "", "").validate());
  }

  @Test
  void halfAPathPairIsReported() {
    List<String> problems = new ClientTls(false, str(certs.clientCert()), "", "", "", "", "").validate();
    assertEquals(1, problems.size(), problems.toString());
    assertTrue(problems.get(0).startsWith("privateKeyPath: required when certificationPath is set"), problems.get(0));

    // a raw key does not complete a path certificate
    problems = new ClientTls(false, str(certs.clientCert()), "", "", "", TestCerts.base64(certs.clientKey()), "")
        .validate();
    assertEquals(1, problems.size(), problems.toString());
    assertTrue(problems.get(0).startsWith("privateKeyPath:"), problems.get(0));
  }

  @Test
  void halfARawPairIsReported() {
    List<String> problems = new ClientTls(false, "", "", "", "", TestCerts.base64(certs.clientKey()), "").validate();
    assertEquals(1, problems.size(), problems.toString());
    assertTrue(problems.get(0).startsWith("certificationRaw: required when privateKeyRaw is set"), problems.get(0));
  }

  @Test
  void aPathWinsOverItsRawTwin() {
    ClientTls tls = new ClientTls(false, str(certs.clientCert()), str(certs.clientKey()), str(certs.caCert()),
        "garbage!", "garbage!", "garbage!");
    assertEquals(List.of(), tls.validate());
  }

  @Test
  void everyProblemIsListed() {
    List<String> problems = new ClientTls(false, "", str(dir.resolve("k.pem")), str(dir.resolve("ca.missing")),
        "", "", "").validate();
    assertEquals(3, problems.size(), problems.toString());
    assertTrue(problems.get(0).startsWith("certificationPath: required"), problems.get(0));
    assertTrue(problems.get(1).startsWith("privateKeyPath: file not found"), problems.get(1));
    assertTrue(problems.get(2).startsWith("rootCaPath: file not found"), problems.get(2));
  }

  // ---- helpers ----

  /** A TLS WebSocket server that answers any text message with the client certificate's subject, or "none". */
  private Future<Integer> serverWith(Vertx vertx, Path cert, boolean requireClientCert) {
    Path key = cert.equals(certs.rogueCert()) ? certs.rogueKey() : certs.serverKey();
    HttpServerOptions options = new HttpServerOptions().setHost("127.0.0.1").setPort(0);
    ServerTls.applyTo(options, str(cert), str(key));
    if (requireClientCert) {
      options.setClientAuth(ClientAuth.REQUIRED).setTrustOptions(new PemTrustOptions().addCertPath(str(certs.caCert())));
    }
    server = vertx.createHttpServer(options).webSocketHandler(ws -> {
      serverSockets.incrementAndGet();
      ws.textMessageHandler(msg -> ws.writeTextMessage(peerSubject(ws)));
    });
    return server.listen().map(HttpServer::actualPort);
  }

  private static String peerSubject(ServerWebSocket ws) {
    try {
      return ((X509Certificate) ws.peerCertificates().get(0)).getSubjectX500Principal().getName();
    } catch (SSLPeerUnverifiedException e) {
      return NO_CLIENT_CERT;
    }
  }

  /** Connects with the given TLS properties and returns the server's view of our certificate. */
  private Future<String> ask(Vertx vertx, ClientTls tls, String host, int port) {
    WebSocketClientOptions options = new WebSocketClientOptions().setConnectTimeout(10_000);
    tls.applyTo(options);
    client = vertx.createWebSocketClient(options);
    return client.connect(new WebSocketConnectOptions().setHost(host).setPort(port).setURI("/tls"))
        .compose(ws -> {
          Promise<String> answer = Promise.promise();
          ws.textMessageHandler(answer::tryComplete);
          ws.closeHandler(v -> answer.tryFail("closed before answering"));
          ws.writeTextMessage("who am I?");
          return answer.future();
        });
  }

  private static String causes(Throwable err) {
    StringBuilder sb = new StringBuilder();
    for (Throwable t = err; t != null; t = t.getCause()) {
      sb.append(t.getClass().getName()).append(": ").append(t.getMessage()).append(" <- ");
    }
    return sb.toString();
  }

  private static String str(Path p) {
    return p.toString();
  }
}
