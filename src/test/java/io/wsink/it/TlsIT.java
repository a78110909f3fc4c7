package io.wsink.it;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.wsink.tls.TestCerts;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * wss:// client mode of the fat jar against Vert.x TLS WebSocket servers presenting the TestCerts certificates: real
 * TLS on 127.0.0.1, the trust properties of §4 given to the process as a user would.
 */
@Timeout(60)
class TlsIT {

  private static final Duration WAIT = Duration.ofSeconds(20);

  @RegisterExtension
  final ItResources resources = new ItResources();

  @TempDir
  Path dir;

  private TestCerts certs;

  @BeforeEach
  void writeCerts() {
    // inside the node's working directory, so that relative paths in the rule resolve there
    certs = TestCerts.create(dir.resolve("certs"));
  }

  @Test
  void rootCaRawVerifiesTheServer() {
    TlsWsServer server = TlsWsServer.start(resources, certs.serverCert(), certs.serverKey(), null);
    WsinkProcess wsink = WsinkProcess.startNode(resources, dir);
    // no scheme given: a TLS property makes it wss
    wsink.createRule(rule("ca", new JsonObject().put("addr", "127.0.0.1:" + server.port()).put("path", "/tls")
      .put("rootCARaw", TestCerts.base64(certs.caCert()))));

    assertDelivered(wsink, "ca", server);
  }

  @Test
  void insecureSkipVerifyAcceptsACertificateForAnotherHost() {
    // self-signed and issued to rogue.invalid: only "trust anything" connects to it at 127.0.0.1
    TlsWsServer server = TlsWsServer.start(resources, certs.rogueCert(), certs.rogueKey(), null);
    WsinkProcess wsink = WsinkProcess.startNode(resources, dir);
    wsink.createRule(rule("insecure", new JsonObject().put("addr", "127.0.0.1:" + server.port()).put("path", "/tls")
      .put("insecureSkipVerify", true)));

    assertDelivered(wsink, "insecure", server);
  }

  @Test
  void mutualTlsPresentsTheClientCertificateFromRelativePaths() {
    TlsWsServer server = TlsWsServer.start(resources, certs.serverCert(), certs.serverKey(), certs.caCert());
    WsinkProcess wsink = WsinkProcess.startNode(resources, dir);
    wsink.createRule(rule("mtls", new JsonObject().put("addr", "127.0.0.1:" + server.port()).put("path", "/tls")
      .put("rootCaPath", "certs/ca.pem")
      .put("certificationPath", "certs/client.pem")
      .put("privateKeyPath", "certs/client-key.pem")));

    assertDelivered(wsink, "mtls", server);
    List<String> subjects = server.clientSubjects();
    assertTrue(!subjects.isEmpty() && subjects.stream().allMatch(("CN=" + TestCerts.CLIENT_CN)::equals),
      () -> "the server saw wsink's client certificate on every connection: " + subjects);
  }

  @Test
  void withoutACaTheTestCaIsNotTrustedAndNothingArrives() {
    TlsWsServer server = TlsWsServer.start(resources, certs.serverCert(), certs.serverKey(), null);
    WsinkProcess wsink = WsinkProcess.startNode(resources, dir);
    wsink.createRule(rule("untrusted", new JsonObject().put("addr", "wss://127.0.0.1:" + server.port())
      .put("path", "/tls")));
    wsink.publish("rule.untrusted", new JsonObject().put("secret", 1));

    JsonObject status = Poll.until("a TLS error in the status", WAIT, () -> wsink.status("untrusted"),
      s -> !s.getString("sink_websocket_0_0_connection_last_error", "").isEmpty());
    String error = status.getString("sink_websocket_0_0_connection_last_error");
    assertTrue(error.contains("PKIX") || error.contains("unable to find valid certification path"),
      () -> "connection_last_error should name the certificate problem: " + error);
    assertNotEquals(1, status.getInteger("sink_websocket_0_0_connection_status"), status::encode);
    assertEquals(0, status.getLong("sink_websocket_0_0_records_out_total"), status::encode);
    assertEquals("running", status.getString("status"), "a failed dial does not stop the rule");
    // the handshake failed, so no WebSocket was ever opened and nothing can have arrived
    assertEquals(0, server.opened(), () -> "connections opened: " + server.opened());
    assertEquals(List.of(), server.messages());
  }

  private static JsonObject rule(String id, JsonObject websocket) {
    return new JsonObject().put("id", id)
      .put("actions", new JsonArray().add(new JsonObject().put("websocket", websocket.put("sendSingle", true))));
  }

  /** Three messages published to the rule arrive at the server, in order, over a connection the status reports. */
  private static void assertDelivered(WsinkProcess wsink, String ruleId, TlsWsServer server) {
    List<String> expected = List.of("{\"n\":1}", "{\"n\":2}", "{\"n\":3}");
    for (String row : expected) {
      wsink.publish("rule." + ruleId, new JsonObject(row));
    }
    assertEquals(expected, server.awaitMessages(3, WAIT));
    // a handshake that timed out on a loaded machine may be redialled, so count nothing but the path
    assertTrue(!server.paths().isEmpty() && server.paths().stream().allMatch("/tls"::equals), server.paths()::toString);
    JsonObject status = wsink.status(ruleId);
    assertEquals(1, status.getInteger("sink_websocket_0_0_connection_status"), status::encode);
    assertEquals("", status.getString("sink_websocket_0_0_connection_last_error"), status::encode);
  }
}
