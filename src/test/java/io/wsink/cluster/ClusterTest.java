package io.wsink.cluster;

import com.hazelcast.config.Config;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import io.wsink.config.ClusterSettings;
import io.wsink.testkit.Poll;
import io.wsink.testkit.RecordingServer;
import io.wsink.testkit.Rules;
import io.wsink.testkit.TestNode;
import io.wsink.testkit.WsClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two wsink nodes in one JVM, each on its own clustered Vert.x, joined by Hazelcast over loopback with the shipped
 * conf/cluster.xml (its ports and cluster name made unique to the test): §7 inside {@code mvn verify}. Processes and
 * {@code kill -9} are ClusterIT's.
 */
class ClusterTest {

  private static final long WAIT_S = 60;

  @TempDir
  Path dir;

  private final List<Vertx> vertxes = new ArrayList<>();
  private final List<TestNode> nodes = new ArrayList<>();

  @AfterEach
  void tearDown() throws Exception {
    for (TestNode node : nodes) {
      node.stop().await(WAIT_S, TimeUnit.SECONDS);
    }
    for (Vertx vertx : vertxes) {
      vertx.close().await(WAIT_S, TimeUnit.SECONDS);
    }
  }

  @Test
  void rulesRegistrationsAndFramesReachEveryNode() throws Exception {
    List<TestNode> cluster = startCluster(2);
    TestNode a = cluster.get(0);
    TestNode b = cluster.get(1);

    await(a.createRule(Rules.rule("fan", "/fan")));
    // listed by the other node, which says the first one runs it
    JsonArray listed = await(Poll.until(b.vertx(), "rule fan listed on node b", () -> rules(b),
      list -> list.stream().anyMatch(o -> "fan".equals(((JsonObject) o).getString("id")))));
    assertEquals("running", Rules.byId(listed, "fan").getString("status"));
    String owner = Rules.byId(listed, "fan").getString("node");
    assertEquals(ClusterView.of(a.vertx()).nodeId(), owner, listed.encode());
    JsonObject status = await(b.status("fan"));
    assertEquals("running", status.getString("status"), status.encode());
    assertEquals(owner, status.getString("node"), status.encode());
    assertTrue(status.containsKey(Rules.SINK0 + "records_in_total"), "the owner's metrics: " + status.encode());

    // the other node's data server serves the endpoint of the rule it does not run
    WsClient onA = await(WsClient.connect(a.vertx(), a.dataUrl("/fan")));
    WsClient onB = await(Poll.until(b.vertx(), "a client of /fan on node b", () -> WsClient.connect(b.vertx(),
      b.dataUrl("/fan")), c -> true));
    await(a.awaitClients("/fan", 1));
    await(b.awaitClients("/fan", 1));

    // published through node b, run on node a, written by both; the acknowledgement counts the clients of both
    int messages = 100;
    for (int i = 0; i < messages; i++) {
      JsonObject ack = await(b.post("/publish/rule.fan?ack=true", new JsonObject().put("seq", i))
        .map(r -> r.bodyAsJsonObject()));
      assertEquals(2, ack.getInteger("delivered"), "acknowledgement of message " + i + ": " + ack.encode());
    }
    for (WsClient client : List.of(onA, onB)) {
      List<Object> got = await(client.awaitMessages(messages));
      for (int i = 0; i < messages; i++) {
        assertEquals(i, row(got.get(i)).getInteger("seq"), "message " + i + " in order");
      }
      assertEquals(messages, client.messages().size(), "each message once");
    }

    // an endpoint registered through one node is served by both; removed through the other, by neither
    assertEquals(200, await(a.post("/connection/websocket", new JsonObject().put("endpoint", "/reg"))).statusCode());
    await(Poll.until(b.vertx(), "/reg on node b", () -> b.endpoint("/reg"), e -> e != null));
    assertEquals(200, await(b.delete("/connection/websocket?endpoint=/reg")).statusCode());
    await(Poll.until(a.vertx(), "/reg gone from node a", () -> a.endpoint("/reg").map(e -> e == null), gone -> gone));

    // an update made on the node that does not run the rule reaches the one that does
    JsonObject updated = Rules.rule("fan", "/fan2");
    assertEquals(200, await(b.put("/rules/fan", updated)).statusCode());
    for (TestNode node : cluster) { // the old endpoint went with the old definition, on both nodes
      await(Poll.until(node.vertx(), "/fan gone", () -> node.endpoint("/fan").map(e -> e == null), gone -> gone));
    }
    WsClient onB2 = await(Poll.until(b.vertx(), "a client of /fan2 on node b", () -> WsClient.connect(b.vertx(),
      b.dataUrl("/fan2")), c -> true));
    await(b.awaitClients("/fan2", 1));
    JsonObject ack = await(a.post("/publish/rule.fan?ack=true", new JsonObject().put("seq", "after"))
      .map(r -> r.bodyAsJsonObject()));
    assertEquals(1, ack.getInteger("delivered"), ack.encode());
    assertEquals("after", row(await(onB2.awaitMessages(1)).get(0)).getString("seq"));

    // dropped through node b: gone from node a and from its store
    assertEquals(200, await(b.delete("/rules/fan")).statusCode());
    await(Poll.until(a.vertx(), "rule fan gone from node a", () -> rules(a), list -> list.isEmpty()));
    await(Poll.until(b.vertx(), "/fan2 gone", () -> b.endpoint("/fan2").map(e -> e == null), gone -> gone));
  }

  @Test
  void aRuleMovesWhenItsNodeLeaves() throws Exception {
    List<TestNode> cluster = startCluster(2);
    TestNode a = cluster.get(0);
    TestNode b = cluster.get(1);
    RecordingServer remote = new RecordingServer(a.vertx(), "remote");
    int port = await(remote.listen());
    await(a.createRule(Rules.rule("out", Rules.clientProps(port))));
    await(remote.awaitUntil("one connection", r -> r.connections() == 1));
    String owner = await(b.status("out")).getString("node");
    TestNode ownerNode = owner.equals(ClusterView.of(a.vertx()).nodeId()) ? a : b;
    TestNode other = ownerNode == a ? b : a;

    assertEquals(202, await(other.post("/publish/rule.out", new JsonObject().put("n", 1))).statusCode());
    await(remote.awaitMessages(1));

    // the owner stops; the other node takes the rule over and dials the remote server itself
    await(ownerNode.stop());
    nodes.remove(ownerNode);
    JsonObject moved = await(other.awaitStatus("out", "running on the remaining node",
      s -> "running".equals(s.getString("status")) && !owner.equals(s.getString("node")), 600));
    assertNotEquals(owner, moved.getString("node"));
    await(Poll.until(other.vertx(), "a message through the new owner", 600, Poll.DELAY_MS,
      () -> other.post("/publish/rule.out?ack=true", new JsonObject().put("n", 2)).map(r -> r.statusCode()),
      c -> c == 200));
    await(remote.awaitUntil("the message after the move", r -> r.messages().stream()
      .anyMatch(m -> m.toString().contains("\"n\":2"))));
    assertTrue(remote.connections() >= 2, "the new owner dialled: " + remote);
    await(remote.close());
  }

  /** Starts {@code n} nodes, each on its own clustered Vert.x; completes once every node sees all of them. */
  private List<TestNode> startCluster(int n) throws Exception {
    String name = "wsink-test-" + UUID.randomUUID();
    List<Integer> ports = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      ports.add(TestNode.freePort());
    }
    List<Future<Vertx>> started = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Config config = HazelcastConfig.load("conf", ClusterSettings.DEFAULT_CONFIG).setClusterName(name);
      config.getNetworkConfig().setPort(ports.get(i)).setPortAutoIncrement(false);
      config.getNetworkConfig().getJoin().getTcpIpConfig()
        .setMembers(ports.stream().map(p -> "127.0.0.1:" + p).toList());
      VertxOptions options = new VertxOptions();
      options.getEventBusOptions().setHost("127.0.0.1");
      started.add(Vertx.builder().with(options).withClusterManager(new HazelcastClusterManager(config)).buildClustered());
    }
    for (Future<Vertx> vertx : started) {
      vertxes.add(await(vertx));
    }
    List<TestNode> cluster = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      TestNode node = await(TestNode.start(vertxes.get(i), dir.resolve("node" + i)));
      nodes.add(node);
      cluster.add(node);
    }
    for (TestNode node : cluster) {
      await(Poll.until(node.vertx(), "every node a member", () -> Future.succeededFuture(
        ClusterView.of(node.vertx()).nodes().size()), size -> size == n));
    }
    return cluster;
  }

  /** The one row of a server-mode message: eKuiper sends a result set, {@code [row]}, unless sendSingle. */
  private static JsonObject row(Object message) {
    return new JsonArray(message.toString()).getJsonObject(0);
  }

  private static Future<JsonArray> rules(TestNode node) {
    return node.get("/rules").map(r -> r.bodyAsJsonArray());
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.await(WAIT_S, TimeUnit.SECONDS);
  }
}
