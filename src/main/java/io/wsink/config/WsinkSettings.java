package io.wsink.config;

/** Everything a node reads from its configuration, validated once at start-up and immutable afterwards. */
public record WsinkSettings(RestSettings rest, StoreSettings store, SinkDefaults sink, ClusterSettings cluster,
                            DataServerSettings source, MetricsSettings metrics) {
}
