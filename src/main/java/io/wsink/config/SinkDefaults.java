package io.wsink.config;

/** Node-wide defaults of the common sink properties (§5.2); a rule's own values override them. */
public record SinkDefaults(boolean enableCache, int memoryCacheThreshold, int maxDiskCache, int bufferPageSize,
                           int resendInterval, boolean cleanCacheAtStop, String aesKey) {
}
