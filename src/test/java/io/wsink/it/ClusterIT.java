package io.wsink.it;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.wsink.testkit.TestNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * §7 with three fat-jar processes clustered over loopback by the shipped conf/cluster.xml (its ports and cluster name
 * made the test's own): state shared, frames fanned out on every node, a rule's node killed with {@code kill -9}, the
 * whole cluster stopped and started again.
 */
@Timeout(240)
class ClusterIT {

  private static final int NODES = 3;
  private static final int MESSAGES = 500;
  /** §7: a rule's node gone, another node runs it within this. */
  private static final Duration FAILOVER = Duration.ofSeconds(30);
  private static final Duration WAIT = Duration.ofSeconds(20);
  /** Three JVMs starting at once on a small shared machine, each joining through Hazelcast. */
  private static final Duration JOIN = Duration.ofSeconds(90);

  @RegisterExtension
  final ItResources resources = new ItResources();

  @TempDir
  Path dir;

  private final List<int[]> ports = new ArrayList<>(); // per node: REST, data, Hazelcast
  private final List<Path> configs = new ArrayList<>();

  @Test
  void threeNodes() throws IOException {
    String clusterName = "wsink-it-" + UUID.randomUUID();
    for (int i = 0; i < NODES; i++) {
      ports.add(new int[] {TestNode.freePort(), TestNode.freePort(), TestNode.freePort()});
    }
    for (int i = 0; i < NODES; i++) {
      configs.add(clusterXml(clusterName, i));
    }
    List<WsinkProcess> nodes = startAll();
    WsinkProcess n1 = nodes.get(0);
    WsinkProcess n2 = nodes.get(1);
    WsinkProcess n3 = nodes.get(2);

    // a rule and a registration created on node 1 are listed on node 3
    n1.createRule(new JsonObject().put("id", "fan").put("actions", new JsonArray().add(new JsonObject()
      .put("websocket", new JsonObject().put("path", "/fan").put("sendSingle", true)))));
    assertEquals(200, n1.post("/connection/websocket", new JsonObject().put("endpoint", "/reg")).statusCode());
    Poll.until("rule fan listed on node 3", WAIT, () -> ids(n3), ids -> ids.contains("fan"));
    Poll.until("/reg registered on node 3", WAIT, () -> n3.clientsOf("/reg"), c -> c == 0);

    // clients on every node each get all 500 messages published through node 2, once and in order
    List<JwsClient> clients = new ArrayList<>();
    for (WsinkProcess node : nodes) {
      Poll.until("endpoint /fan served by " + node, WAIT, () -> node.clientsOf("/fan"), c -> c >= 0);
      clients.add(JwsClient.connect(resources, node.dataUrl("/fan")));
      node.awaitClients("/fan", 1);
    }
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < MESSAGES; i++) {
      JsonObject row = new JsonObject().put("seq", i);
      expected.add(row.encode());
      n2.publish("rule.fan", row);
    }
    for (int i = 0; i < NODES; i++) {
      JwsClient.assertMessages(expected, clients.get(i).awaitMessages(MESSAGES, WAIT), "client of node " + (i + 1));
    }

    // a client-mode rule: one connection cluster-wide; its node killed, another node dials within 30 s
    JwsServer remote = JwsServer.plain(resources);
    n1.createRule(new JsonObject().put("id", "out").put("actions", new JsonArray().add(new JsonObject()
      .put("websocket", new JsonObject().put("addr", "127.0.0.1:" + remote.port()).put("path", "/in")
        .put("sendSingle", true)))));
    String owner = Poll.until("rule out running", WAIT, () -> n3.status("out"),
      s -> "running".equals(s.getString("status"))).getString("node");
    Map<String, WsinkProcess> byNode = nodes.stream().collect(Collectors.toMap(ClusterIT::nodeId, n -> n));
    WsinkProcess ownerProcess = byNode.get(owner);
    assertTrue(ownerProcess != null, "the owner " + owner + " is one of " + byNode.keySet());
    WsinkProcess survivor = nodes.stream().filter(n -> n != ownerProcess).findFirst().orElseThrow();
    survivor.publish("rule.out", new JsonObject().put("n", "before"));
    remote.awaitUntil(m -> m.contains("{\"n\":\"before\"}"), "the message before the kill", WAIT);

    ownerProcess.kill9();
    long killed = System.nanoTime();
    Poll.until("rule out taken over and acknowledging", FAILOVER, () -> publishAcknowledged(survivor, "after"),
      code -> code == 200);
    remote.awaitUntil(m -> m.contains("{\"n\":\"after\"}"), "the message after the kill", WAIT);
    Duration took = Duration.ofNanos(System.nanoTime() - killed);
    assertTrue(took.compareTo(FAILOVER) <= 0, "the rule moved in " + took.toMillis() + " ms");
    assertEquals(1, remote.mostOpenAtOnce(), "connections from wsink open at once: " + remote.paths());
    String newOwner = survivor.status("out").getString("node");
    assertTrue(!owner.equals(newOwner) && byNode.containsKey(newOwner), "new owner " + newOwner);

    // the whole cluster stopped (SIGTERM) and started again: rules and registrations are back on every node
    for (WsinkProcess node : nodes) {
      if (node.isAlive()) {
        node.sigterm();
      }
    }
    for (WsinkProcess node : nodes) {
      if (node != ownerProcess) {
        assertEquals(0, node.exitCode(WAIT), node.log());
      }
    }
    List<WsinkProcess> again = startAll();
    for (WsinkProcess node : again) {
      assertEquals(List.of("fan", "out"), ids(node), "rules of " + node);
      assertEquals(0, node.clientsOf("/reg"), "/reg registered on " + node);
    }
  }

  private List<WsinkProcess> startAll() {
    List<WsinkProcess> nodes = new ArrayList<>();
    for (int i = 0; i < NODES; i++) {
      Map<String, String> env = WsinkProcess.portsEnv(ports.get(i)[0], ports.get(i)[1]);
      env.put("WSINK__CLUSTER__CONFIG", configs.get(i).toString());
      nodes.add(WsinkProcess.start(resources, dir.resolve("node" + (i + 1)), env, ports.get(i)[0], ports.get(i)[1],
        "--cluster", "--data", "data"));
    }
    for (WsinkProcess node : nodes) {
      node.awaitReady(JOIN); // the REST API answers once the node has joined
    }
    for (WsinkProcess node : nodes) {
      Poll.until(node + " ready, seeing " + NODES + " members", WAIT, () -> ready(node),
        r -> r != null && r.getInteger("members", 0) == NODES);
    }
    return nodes;
  }

  /** The shipped cluster.xml with this test's cluster name, node i on its own Hazelcast port, all nodes as members. */
  private Path clusterXml(String clusterName, int i) {
    try {
      String xml = Files.readString(Path.of("conf", "cluster.xml"));
      String members = ports.stream().map(p -> "<member>127.0.0.1:" + p[2] + "</member>")
        .collect(Collectors.joining("\n        "));
      String mine = xml.replace("<cluster-name>wsink</cluster-name>", "<cluster-name>" + clusterName + "</cluster-name>")
        .replaceFirst("<port auto-increment=\"true\" port-count=\"20\">5701</port>",
          "<port auto-increment=\"false\">" + ports.get(i)[2] + "</port>")
        .replaceFirst("(?s)<tcp-ip enabled=\"true\">.*?</tcp-ip>", "<tcp-ip enabled=\"true\">\n        " + members
          + "\n      </tcp-ip>");
      assertTrue(mine.contains("<port auto-increment=\"false\">" + ports.get(i)[2] + "</port>")
        && !mine.contains("<member>127.0.0.1:5701</member>"), "the test's ports in:\n" + mine);
      Path file = dir.resolve("cluster-" + (i + 1) + ".xml");
      Files.writeString(file, mine);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The "cluster" check of {@code GET /health/ready} when the node is ready, else null. */
  private static JsonObject ready(WsinkProcess node) {
    var response = WsinkProcess.plainGet(node.restUrl() + "/health/ready");
    if (response.statusCode() != 200) {
      return null;
    }
    return new JsonObject(response.body()).getJsonArray("checks").stream().map(JsonObject.class::cast)
      .filter(c -> "cluster".equals(c.getString("id"))).findFirst().map(c -> c.getJsonObject("data")).orElse(null);
  }

  private static String nodeId(WsinkProcess node) {
    JsonObject cluster = ready(node);
    assertTrue(cluster != null, node + " is not ready");
    return cluster.getString("node");
  }

  /**
   * {@code POST /publish/rule.out?ack=true}: its status, or -1 when it did not answer (a request the event bus still
   * routes to the killed node waits for its timeout until Hazelcast's failure detection removes that node).
   */
  private static int publishAcknowledged(WsinkProcess node, String n) {
    try {
      return node.post("/publish/rule.out?ack=true", new JsonObject().put("n", n)).statusCode();
    } catch (AssertionError timedOut) {
      return -1;
    }
  }

  private static List<String> ids(WsinkProcess node) {
    return node.getArray("/rules").stream().map(o -> ((JsonObject) o).getString("id")).sorted().toList();
  }
}
