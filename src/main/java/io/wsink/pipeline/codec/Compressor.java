package io.wsink.pipeline.codec;

import java.util.List;

/**
 * The {@code compression} stage of §5.1: one message in, one self-contained compressed stream out, readable by any
 * standard decoder (eKuiper closes its writer after each message in the same way).
 *
 * <p>Instances are safe to share between threads.
 */
public interface Compressor {

  /** The names {@link #of} accepts, in the order error messages list them. */
  List<String> NAMES = List.of("zlib", "gzip", "flate", "zstd");

  /** @return the compressed form of {@code in}: a complete stream of this compressor's format */
  byte[] compress(byte[] in);

  /**
   * The compressor named by the {@code compression} property.
   *
   * <ul>
   *   <li>{@code zlib}: RFC 1950 (a zlib header, deflate, Adler-32), default level;</li>
   *   <li>{@code gzip}: RFC 1952 (one gzip member), default level;</li>
   *   <li>{@code flate}: RFC 1951 raw deflate, no header or checksum, default level;</li>
   *   <li>{@code zstd}: RFC 8878, one zstd frame, level 3 (eKuiper's default speed) with the content size and the
   *   frame checksum that eKuiper's encoder writes.</li>
   * </ul>
   *
   * @param name a name as eKuiper spells it (lower case)
   * @return the compressor, or null for null or {@code ""}: no compression stage
   * @throws IllegalArgumentException for any other name, naming the accepted values; or, for {@code zstd}, when the
   *                                  zstd native library cannot be loaded on this platform
   */
  static Compressor of(String name) {
    if (name == null || name.isEmpty()) {
      return null;
    }
    switch (name) {
      case "zlib":
        return new DeflateCompressor(false);
      case "flate":
        return new DeflateCompressor(true);
      case "gzip":
        return GzipCompressor.INSTANCE;
      case "zstd":
        return ZstdCompressor.create();
      default:
        throw new IllegalArgumentException("unsupported compression \"" + name + "\": accepted values are "
          + String.join(", ", NAMES));
    }
  }
}
