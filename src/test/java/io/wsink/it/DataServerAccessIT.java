package io.wsink.it;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.wsink.testkit.RawWsClients;
import io.wsink.testkit.TestNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The data server's access-control keys (§8) set through the environment of the fat jar. */
@Timeout(60)
class DataServerAccessIT {

  private static final Duration EXIT_WITHIN = Duration.ofSeconds(30);

  @RegisterExtension
  final ItResources resources = new ItResources();

  @TempDir
  Path dir;

  @Test
  void tokensAndMaxConnectionsFromTheEnvironmentGuardTheDataServer() throws IOException {
    int restPort = TestNode.freePort();
    int dataPort = TestNode.freePort();
    Map<String, String> env = new HashMap<>(WsinkProcess.portsEnv(restPort, dataPort));
    env.put("WSINK__SOURCE__TOKENS", "[\"it-token\"]");
    env.put("WSINK__SOURCE__MAXCONNECTIONS", "1");
    WsinkProcess wsink = WsinkProcess.start(resources, dir, env, restPort, dataPort).awaitReady();
    wsink.createRule(new JsonObject().put("id", "guarded").put("actions", new JsonArray()
      .add(new JsonObject().put("websocket", new JsonObject().put("path", "/guarded")))));

    try (RawWsClients raw = resources.track(new RawWsClients())) {
      assertEquals(401, raw.upgradeStatus(dataPort, "/guarded"), "no token");
      assertEquals(101, raw.upgradeStatus(dataPort, "/guarded", "Authorization: Bearer it-token"));
      assertEquals(503, raw.upgradeStatus(dataPort, "/guarded?token=it-token"), "past maxConnections: 1");
    }
  }

  @Test
  void aBadValueFromTheEnvironmentStopsStartUpWithOneLine() {
    WsinkProcess wsink = WsinkProcess.start(resources, dir, Map.of("WSINK__REST__PORT", "0",
      "WSINK__SOURCE__MAXCONNECTIONS", "0"), -1, -1);

    assertNotEquals(0, wsink.exitCode(EXIT_WITHIN));
    List<String> lines = wsink.stderr().lines().filter(l -> !l.isBlank()).toList();
    assertEquals(1, lines.size(), () -> "expected exactly one line on stderr, got:\n" + wsink.stderr());
    String line = lines.get(0);
    assertTrue(line.contains("WSINK__SOURCE__MAXCONNECTIONS") && line.contains("source.maxConnections")
      && line.contains("must be a positive integer, got 0"), () -> "names origin, key and problem: " + line);
  }

  @Test
  void tokensGivenInTheEnvironmentNeverReachTheLogEvenAtDebug() throws IOException {
    int restPort = TestNode.freePort();
    int dataPort = TestNode.freePort();
    Map<String, String> env = new HashMap<>(WsinkProcess.portsEnv(restPort, dataPort));
    env.put("WSINK__SOURCE__TOKENS", "[\"s3cr3t-data\"]");
    env.put("WSINK_LOG_LEVEL", "DEBUG");
    WsinkProcess wsink = WsinkProcess.start(resources, dir, env, restPort, dataPort).awaitReady();
    wsink.createRule(new JsonObject().put("id", "guarded").put("actions", new JsonArray()
      .add(new JsonObject().put("websocket", new JsonObject().put("path", "/guarded")))));

    try (RawWsClients raw = resources.track(new RawWsClients())) {
      assertEquals(401, raw.upgradeStatus(dataPort, "/guarded?token=s3cr3t-guess"));
      assertEquals(401, raw.upgradeStatus(dataPort, "/guarded", "Authorization: Bearer s3cr3t-guess"));
      assertEquals(101, raw.upgradeStatus(dataPort, "/guarded?token=s3cr3t-data"));
    }
    // the log is written asynchronously: wait for the last refusal's debug line, then look at everything
    String log = Poll.until("the refusals logged at debug", Duration.ofSeconds(10), wsink::stdout,
      out -> out.split("refused with 401", -1).length == 3);
    assertTrue(log.contains("1 token(s)"), () -> "the start-up line counts the tokens:\n" + log);
    assertFalse(log.contains("s3cr3t"), () -> "a token reached the log:\n" + log);
  }
}
