package io.wsink.sink;

import io.vertx.core.json.JsonObject;

/**
 * The cache of a client-mode action (§5.2, eKuiper's names): what cannot be delivered while the connection is down is
 * kept — in memory up to {@code memoryCacheThreshold} payloads, then on disk in pages of {@code bufferPageSize} up to
 * {@code maxDiskCache} — and resent in order after the reconnect, {@code resendInterval} ms apart, with
 * {@code resendIndicatorField} set to true on resent rows.
 */
public record CacheSettings(boolean enabled, int memoryCacheThreshold, int maxDiskCache, int bufferPageSize,
                            long resendInterval, boolean cleanCacheAtStop, String resendIndicatorField) {

  /**
   * The action's own values over the node's {@code sink:} defaults. As in eKuiper, a non-positive page size becomes 256,
   * negative sizes take the defaults, and both sizes round up to whole pages.
   */
  static CacheSettings resolve(WebSocketActionProps props, JsonObject nodeDefaults) {
    JsonObject d = nodeDefaults == null ? new JsonObject() : nodeDefaults;
    boolean enabled = props.enableCache() != null ? props.enableCache() : d.getBoolean("enableCache", false);
    int page = orDefault(props.bufferPageSize(), d.getInteger("bufferPageSize", 256));
    if (page <= 0) {
      page = 256;
    }
    int memory = orDefault(props.memoryCacheThreshold(), d.getInteger("memoryCacheThreshold", 1024));
    if (memory < 0) {
      memory = 1024;
    }
    int disk = orDefault(props.maxDiskCache(), d.getInteger("maxDiskCache", 1_024_000));
    if (disk < 0) {
      disk = 1_024_000;
    }
    long resend = props.resendInterval() != null ? props.resendInterval() : d.getLong("resendInterval", 0L);
    boolean clean = props.cleanCacheAtStop() != null ? props.cleanCacheAtStop() : d.getBoolean("cleanCacheAtStop", false);
    return new CacheSettings(enabled, roundUp(memory, page), roundUp(disk, page), page, Math.max(0, resend), clean,
      props.resendIndicatorField());
  }

  private static int orDefault(Integer value, int def) {
    return value != null ? value : def;
  }

  private static int roundUp(int value, int page) {
    return (int) Math.min(Integer.MAX_VALUE, ((long) value + page - 1) / page * page);
  }
}
