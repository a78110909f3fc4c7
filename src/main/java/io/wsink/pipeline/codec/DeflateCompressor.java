package io.wsink.pipeline.codec;

import java.io.ByteArrayOutputStream;
import java.util.zip.Deflater;

/** {@code zlib} (RFC 1950) or, with {@code nowrap}, {@code flate} (RFC 1951 raw deflate), at the default level. */
final class DeflateCompressor implements Compressor {

  private final boolean nowrap;

  DeflateCompressor(boolean nowrap) {
    this.nowrap = nowrap;
  }

  @Override
  public byte[] compress(byte[] in) {
    Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION, nowrap);
    try {
      deflater.setInput(in);
      deflater.finish();
      return drain(deflater, in.length);
    } finally {
      deflater.end();
    }
  }

  /** Runs a finished deflater to its end. */
  static byte[] drain(Deflater deflater, int inputLength) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(64, inputLength / 2 + 32));
    byte[] chunk = new byte[Math.min(64 * 1024, Math.max(512, inputLength + 64))];
    while (!deflater.finished()) {
      int n = deflater.deflate(chunk);
      out.write(chunk, 0, n);
    }
    return out.toByteArray();
  }

  @Override
  public String toString() {
    return nowrap ? "flate" : "zlib";
  }
}
