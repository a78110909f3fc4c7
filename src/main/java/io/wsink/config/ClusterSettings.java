package io.wsink.config;

/** Cluster membership (§7): whether to join, and the event-bus host other nodes reach this one at. */
public record ClusterSettings(boolean enabled, String host) {
}
