package io.wsink.pipeline.codec;

import com.github.luben.zstd.ZstdCompressCtx;

/**
 * {@code zstd}: one RFC 8878 frame by zstd-jni, level 3, with the content size and the XXH64 checksum (eKuiper's
 * encoder, klauspost/compress at its default speed, writes the checksum as well).
 */
final class ZstdCompressor implements Compressor {

  /** zstd's default level; klauspost/compress's {@code SpeedDefault} stands for it. */
  static final int LEVEL = 3;

  private ZstdCompressor() {
  }

  /** @throws IllegalArgumentException when the native library cannot be loaded here, so a rule is refused early */
  static ZstdCompressor create() {
    try {
      new ZstdCompressCtx().close();
    } catch (LinkageError e) {
      throw new IllegalArgumentException("compression \"zstd\" is not available on this platform ("
        + System.getProperty("os.name") + "/" + System.getProperty("os.arch") + "): " + e, e);
    }
    return new ZstdCompressor();
  }

  @Override
  public byte[] compress(byte[] in) {
    // a context per message: contexts are not thread-safe, and one sink instance compresses one message at a time
    try (ZstdCompressCtx ctx = new ZstdCompressCtx()) {
      ctx.setLevel(LEVEL);
      ctx.setChecksum(true);
      ctx.setContentSize(true);
      return ctx.compress(in);
    }
  }

  @Override
  public String toString() {
    return "zstd";
  }
}
