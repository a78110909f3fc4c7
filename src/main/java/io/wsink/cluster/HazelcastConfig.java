package io.wsink.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.InvalidConfigurationException;
import com.hazelcast.config.XmlConfigBuilder;
import io.wsink.config.ClusterSettings;
import io.wsink.config.ConfigException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** The Hazelcast configuration of a clustered node (§7): {@code cluster.config}, else the {@code cluster.xml} in the jar. */
public final class HazelcastConfig {

  private static final String PACKAGED = "wsink-defaults/" + ClusterSettings.DEFAULT_CONFIG;
  private static final String KEY = "cluster.config";

  private HazelcastConfig() {
  }

  /**
   * @param confDir the configuration directory, against which a relative {@code configPath} resolves
   * @throws ConfigException naming the file and what is wrong with it
   */
  public static Config load(String confDir, String configPath) {
    // Hazelcast picks its logger when its first class logs: through SLF4J like the rest of the node, unless told otherwise
    if (System.getProperty("hazelcast.logging.type") == null) {
      System.setProperty("hazelcast.logging.type", "slf4j");
    }
    Path given = Path.of(configPath);
    Path file = given.isAbsolute() ? given : Path.of(confDir).resolve(given);
    if (Files.isRegularFile(file)) {
      try (InputStream in = Files.newInputStream(file)) {
        return parse(in, file.toString());
      } catch (IOException e) {
        throw new ConfigException(file.toString(), KEY, "cannot read: " + e.getMessage(), e);
      }
    }
    if (!configPath.equals(ClusterSettings.DEFAULT_CONFIG)) {
      throw new ConfigException("configuration", KEY, "no such file: " + file.toAbsolutePath()
        + " (a Hazelcast XML; relative paths are resolved against the configuration directory " + confDir + ")");
    }
    try (InputStream in = HazelcastConfig.class.getClassLoader().getResourceAsStream(PACKAGED)) {
      if (in == null) {
        throw new ConfigException("packaged defaults", KEY, "not found on the classpath as " + PACKAGED);
      }
      return parse(in, "packaged defaults (" + PACKAGED + ")");
    } catch (IOException e) {
      throw new ConfigException("packaged defaults", KEY, "cannot read: " + e.getMessage(), e);
    }
  }

  private static Config parse(InputStream in, String origin) {
    try {
      return new XmlConfigBuilder(in).build();
    } catch (InvalidConfigurationException | IllegalArgumentException e) {
      throw new ConfigException(origin, KEY, "not a valid Hazelcast configuration: " + e.getMessage(), e);
    }
  }
}
