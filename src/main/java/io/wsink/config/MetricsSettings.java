package io.wsink.config;

/**
 * Operations (§6.5): whether the node collects metrics — Vert.x's own, the JVM's and wsink's per rule action — and
 * serves them on {@code GET /metrics}. Off: no meters at all and {@code /metrics} answers 404.
 */
public record MetricsSettings(boolean enabled) {
}
