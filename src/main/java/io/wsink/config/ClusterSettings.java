package io.wsink.config;

/**
 * Cluster membership (§7).
 *
 * @param enabled whether to join a cluster
 * @param host    the event-bus host other nodes reach this one at
 * @param port    the event-bus port; 0: any free port
 * @param config  the Hazelcast XML; a relative path is looked up in the configuration directory, and when that has no
 *                such file the {@code cluster.xml} packaged in the jar applies
 */
public record ClusterSettings(boolean enabled, String host, int port, String config) {

  /** The file name of the Hazelcast configuration in the configuration directory (and in the jar). */
  public static final String DEFAULT_CONFIG = "cluster.xml";
}
