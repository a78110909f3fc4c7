package io.wsink.pipeline.codec;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.zip.GZIPOutputStream;

/** {@code gzip}: one RFC 1952 member, by the JDK's {@link GZIPOutputStream} at the default level. */
final class GzipCompressor implements Compressor {

  static final GzipCompressor INSTANCE = new GzipCompressor();

  private GzipCompressor() {
  }

  @Override
  public byte[] compress(byte[] in) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(64, in.length / 2 + 32));
    try (GZIPOutputStream gzip = new GZIPOutputStream(out, Math.min(64 * 1024, Math.max(512, in.length + 64)))) {
      gzip.write(in);
    } catch (IOException e) {
      throw new UncheckedIOException("gzip into memory failed", e); // a ByteArrayOutputStream does not fail
    }
    return out.toByteArray();
  }

  @Override
  public String toString() {
    return "gzip";
  }
}
