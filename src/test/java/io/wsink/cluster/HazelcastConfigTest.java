package io.wsink.cluster;

import com.hazelcast.config.Config;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.wsink.Wsink;
import io.wsink.config.ClusterSettings;
import io.wsink.config.ConfigException;
import io.wsink.testkit.TestNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Where a clustered node's Hazelcast settings come from, and what a wrong one is told (§2, §7). */
class HazelcastConfigTest {

  @TempDir
  Path dir;

  @Test
  void theShippedFileJoinsOverLoopbackWithTheVertxMaps() {
    Config config = HazelcastConfig.load("conf", ClusterSettings.DEFAULT_CONFIG);
    assertEquals("wsink", config.getClusterName());
    assertTrue(config.getNetworkConfig().getJoin().getTcpIpConfig().isEnabled());
    assertTrue(config.getNetworkConfig().getJoin().getTcpIpConfig().getMembers().contains("127.0.0.1:5701"));
    assertEquals("10", config.getProperty("hazelcast.max.no.heartbeat.seconds"));
    assertEquals(1, config.getMapConfig("__vertx.nodeInfo").getBackupCount());
    assertEquals(1, config.getMapConfig("wsink.cluster.rules").getBackupCount());
  }

  @Test
  void withoutAFileInTheConfDirTheJarsCopyApplies() {
    Config config = HazelcastConfig.load(dir.resolve("no-conf").toString(), ClusterSettings.DEFAULT_CONFIG);
    assertEquals("wsink", config.getClusterName());
  }

  @Test
  void aRelativePathIsLookedUpInTheConfDir() throws Exception {
    Files.writeString(dir.resolve("mine.xml"), Files.readString(Path.of("conf", "cluster.xml"))
      .replace("<cluster-name>wsink</cluster-name>", "<cluster-name>mine</cluster-name>"));
    assertEquals("mine", HazelcastConfig.load(dir.toString(), "mine.xml").getClusterName());
  }

  @Test
  void aMissingFileIsNamed() {
    ConfigException e = assertThrows(ConfigException.class, () -> HazelcastConfig.load(dir.toString(), "gone.xml"));
    assertTrue(e.getMessage().startsWith("configuration: cluster.config: no such file: "), e.getMessage());
    assertTrue(e.getMessage().contains(dir.resolve("gone.xml").toString()), e.getMessage());
  }

  @Test
  void aFileThatIsNotHazelcastXmlIsRefusedNamingIt() throws Exception {
    Path bad = dir.resolve("cluster.xml");
    Files.writeString(bad, "<hazelcast><network><port>not a port</port></network></hazelcast>");
    ConfigException e = assertThrows(ConfigException.class,
      () -> HazelcastConfig.load(dir.toString(), ClusterSettings.DEFAULT_CONFIG));
    assertTrue(e.getMessage().startsWith(bad + ": cluster.config: not a valid Hazelcast configuration"), e.getMessage());
  }

  @Test
  void clusterEnabledOnAVertxThatIsNotClusteredIsRefused() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      JsonObject config = new JsonObject()
        .put("confDir", dir.resolve("no-conf").toString())
        .put("rest", new JsonObject().put("port", TestNode.freePort()))
        .put("store", new JsonObject().put("dir", dir.resolve("data").toString()))
        .put("cluster", new JsonObject().put("enabled", true));
      Throwable e = assertThrows(Exception.class, () -> Wsink.deploy(vertx, config).await(30, TimeUnit.SECONDS));
      assertTrue(e.getMessage().contains("cluster.enabled: is true, but this Vert.x instance is not clustered"),
        e.getMessage());
    } finally {
      vertx.close().await(30, TimeUnit.SECONDS);
    }
  }
}
