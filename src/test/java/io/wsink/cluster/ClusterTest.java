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

  private final String clusterName = "wsink-test-" + UUID.randomUUID();
  private final List<Integer> hazelcastPorts = new ArrayList<>();
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

    // one id created through both nodes at once: one of them gets 201, the other "already exists", and both list
    // the winner's definition
    for (int round = 0; round < 5; round++) {
      String id = "twin" + round;
      Future<Integer> viaA = a.post("/rules", Rules.rule(id, "/a" + round)).map(r -> r.statusCode());
      Future<Integer> viaB = b.post("/rules", Rules.rule(id, "/b" + round)).map(r -> r.statusCode());
      List<Integer> codes = List.of(await(viaA), await(viaB));
      assertEquals(1, codes.stream().filter(c -> c == 201).count(), id + ": " + codes);
      assertEquals(1, codes.stream().filter(c -> c == 400).count(), id + ": " + codes);
      String winner = codes.get(0) == 201 ? "/a" + round : "/b" + round;
      for (TestNode node : cluster) {
        JsonObject definition = await(node.get("/rules/" + id).map(r -> r.bodyAsJsonObject()));
        assertEquals(winner, definition.getJsonArray("actions").getJsonObject(0).getJsonObject("websocket")
          .getString("path"), id + " on " + node.restPort());
      }
    }
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

  @Test
  void whatANodeCachedIsResentByTheNewOwnerWhenThatNodeReturns() throws Exception {
    List<TestNode> cluster = startCluster(2);
    TestNode a = cluster.get(0);
    TestNode b = cluster.get(1);
    int remotePort = TestNode.freePort(); // nobody listens yet: what node a takes, it caches on disk
    JsonObject props = Rules.clientProps(remotePort).put("sendSingle", true).put("enableCache", true)
      .put("memoryCacheThreshold", 0).put("bufferPageSize", 1);
    await(a.createRule(Rules.rule("kept", props)));
    String ownerId = await(a.status("kept")).getString("node");
    assertEquals(ClusterView.of(a.vertx()).nodeId(), ownerId, "the node that created it claimed it");
    for (int i = 1; i <= 3; i++) {
      assertEquals(202, await(a.post("/publish/rule.kept", new JsonObject().put("kept", i))).statusCode());
    }
    await(a.awaitStatus("kept", "3 cached on disk", s -> s.getLong(Rules.SINK0 + "cache_disk_length", 0L) == 3));

    // node a leaves; node b runs the rule, and caches on its own disk what it cannot send
    await(a.stop());
    nodes.remove(a);
    await(a.vertx().close());
    await(b.awaitStatus("kept", "running on node b", s -> "running".equals(s.getString("status"))
      && ClusterView.of(b.vertx()).nodeId().equals(s.getString("node")), 600));

    // the remote server is up and node a comes back: node b resends what node a had cached
    RecordingServer remote = new RecordingServer(b.vertx(), "remote");
    await(remote.listen(remotePort));
    TestNode back = restartNode(0);
    awaitMembers(List.of(back, b), 2);
    await(remote.awaitUntil("the 3 rows node a cached", r -> r.messages().size() >= 3));
    List<Integer> got = remote.messages().stream().map(m -> new JsonObject(m.toString()).getInteger("kept")).toList();
    assertEquals(List.of(1, 2, 3), got, "each row once, in order");
    await(remote.close());
    // node a's own copy went once node b had taken it (its store is locked while it runs: stopped first)
    await(back.stop());
    nodes.remove(back);
    assertEquals(0, cachedPages(dir.resolve("node0").resolve("data").resolve("wsink.db")));
  }

  /**
   * A node that stopped a rule it ran, and then owns it again without having held it for another node in between,
   * must start it: here its release of the rule reaches the owners map after the other node, which starts the rule,
   * looked (written by the test: the release lost that race), so that node leaves the rule to it.
   */
  @Test
  void aRuleStoppedHereAndClaimedAgainStartsHere() throws Exception {
    List<TestNode> cluster = startCluster(2);
    TestNode a = cluster.get(0);
    TestNode b = cluster.get(1);
    String aId = ClusterView.of(a.vertx()).nodeId();
    await(a.createRule(Rules.rule("again", "/again")));
    assertEquals(aId, await(a.status("again")).getString("node"), "the node that created it runs it");

    assertEquals(200, await(a.post("/rules/again/stop", new JsonObject())).statusCode());
    await(b.awaitStatus("again", "stopped as seen from node b", s -> "stopped".equals(s.getString("status"))));
    // node a's release has not landed yet when node b starts the rule
    await(a.vertx().sharedData().<String, String>getAsyncMap(io.wsink.Addresses.clusterTable("owners"))
      .compose(owners -> owners.put("again", aId)));
    assertEquals(200, await(b.post("/rules/again/start", new JsonObject())).statusCode());

    // node a owns it: it must run it, and not take its earlier, stopped deployment for a current one (a full check
    // every 10 s would change nothing)
    JsonObject status = await(a.awaitStatus("again", "running on node a", s -> "running".equals(s.getString("status"))
      && aId.equals(s.getString("node")), 300));
    assertEquals(aId, status.getString("node"));
  }

  /**
   * A member that takes a frame and never answers (a node crashed but not yet seen gone: Hazelcast waits 10 s) is left
   * out of an acknowledgement, as the README says: the clients of the nodes that answered are counted well before the
   * publish gives up on the acknowledgement (30 s).
   */
  @Test
  void anAcknowledgementDoesNotWaitForANodeThatDoesNotAnswer() throws Exception {
    List<TestNode> cluster = startCluster(2);
    TestNode a = cluster.get(0);
    hazelcastPorts.add(TestNode.freePort());
    Vertx silent = await(clusteredVertx(2));
    vertxes.add(silent);
    String silentId = ((io.vertx.core.internal.VertxInternal) silent).clusterManager().getNodeId();
    await(silent.eventBus().consumer(io.wsink.Addresses.nodeEndpointFrames(silentId, "/slow"), msg -> { })
      .completion());
    awaitMembers(cluster, 3);

    await(a.createRule(Rules.rule("slow", "/slow")));
    WsClient client = await(WsClient.connect(a.vertx(), a.dataUrl("/slow")));
    await(a.awaitClients("/slow", 1));
    long start = System.nanoTime();
    var response = await(a.post("/publish/rule.slow?ack=true", new JsonObject().put("n", 1)));
    long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertEquals(200, response.statusCode(), response.bodyAsString());
    assertEquals(1, response.bodyAsJsonObject().getInteger("delivered"), response.bodyAsString());
    assertTrue(tookMs < 20_000, "acknowledged after " + tookMs + " ms");
    await(client.awaitMessages(1));
  }

  /** Starts {@code n} nodes, each on its own clustered Vert.x; completes once every node sees all of them. */
  private List<TestNode> startCluster(int n) throws Exception {
    for (int i = 0; i < n; i++) {
      hazelcastPorts.add(TestNode.freePort());
    }
    List<Future<Vertx>> started = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      started.add(clusteredVertx(i));
    }
    for (Future<Vertx> vertx : started) {
      vertxes.add(await(vertx));
    }
    List<TestNode> cluster = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      cluster.add(startNode(vertxes.get(i), i));
    }
    awaitMembers(cluster, n);
    return cluster;
  }

  /** Node {@code i} again, with its store as it left it, on a new Vert.x that joins the cluster. */
  private TestNode restartNode(int i) throws Exception {
    hazelcastPorts.set(i, TestNode.freePort()); // its old port may linger a moment after the close
    Vertx vertx = await(clusteredVertx(i));
    vertxes.add(vertx);
    return startNode(vertx, i);
  }

  private Future<Vertx> clusteredVertx(int i) {
    Config config = HazelcastConfig.load("conf", ClusterSettings.DEFAULT_CONFIG).setClusterName(clusterName);
    config.getNetworkConfig().setPort(hazelcastPorts.get(i)).setPortAutoIncrement(false);
    config.getNetworkConfig().getJoin().getTcpIpConfig()
      .setMembers(hazelcastPorts.stream().map(p -> "127.0.0.1:" + p).toList());
    VertxOptions options = new VertxOptions();
    options.getEventBusOptions().setHost("127.0.0.1");
    return Vertx.builder().with(options).withClusterManager(new HazelcastClusterManager(config)).buildClustered();
  }

  private TestNode startNode(Vertx vertx, int i) throws Exception {
    TestNode node = await(TestNode.start(vertx, dir.resolve("node" + i)));
    nodes.add(node);
    return node;
  }

  private static void awaitMembers(List<TestNode> cluster, int n) throws Exception {
    for (TestNode node : cluster) {
      await(Poll.until(node.vertx(), n + " members", () -> Future.succeededFuture(
        ClusterView.of(node.vertx()).nodes().size()), size -> size == n));
    }
  }

  /** The one row of a server-mode message: eKuiper sends a result set, {@code [row]}, unless sendSingle. */
  private static JsonObject row(Object message) {
    return new JsonArray(message.toString()).getJsonObject(0);
  }

  /** Rows in the disk cache of a stopped node's store. */
  private static int cachedPages(Path store) throws java.sql.SQLException {
    try (var connection = java.sql.DriverManager.getConnection("jdbc:sqlite:" + store);
         var rows = connection.createStatement().executeQuery("SELECT count(*) FROM cache")) {
      return rows.getInt(1);
    }
  }

  private static Future<JsonArray> rules(TestNode node) {
    return node.get("/rules").map(r -> r.bodyAsJsonArray());
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.await(WAIT_S, TimeUnit.SECONDS);
  }
}
