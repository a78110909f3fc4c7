package io.wsink.pipeline.codec;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdInputStream;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.zip.DataFormatException;
import java.util.zip.GZIPInputStream;
import java.util.zip.Inflater;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link Compressor}: each output is one complete standard stream, decoded here by the JDK and zstd-jni's decoder. */
class CompressorTest {

  // -------------------------------------------------------------------------------------------- of

  @Test
  void noCompressionIsNull() {
    assertNull(Compressor.of(""));
    assertNull(Compressor.of(null));
  }

  @Test
  void anUnknownNameIsRefusedNamingTheAcceptedValues() {
    // eKuiper matches the names exactly, in lower case
    for (String name : new String[] {"lz4", "deflate", "snappy", "GZIP", "Zlib", " zstd"}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Compressor.of(name));
      assertEquals("unsupported compression \"" + name + "\": accepted values are zlib, gzip, flate, zstd",
        e.getMessage());
    }
  }

  // ---------------------------------------------------------------------------------------- zlib

  @Test
  void zlibIsAZlibStreamTheJdkInflaterReads() throws Exception {
    Compressor zlib = Compressor.of("zlib");
    for (byte[] in : samples()) {
      byte[] out = zlib.compress(in);
      assertEquals(0x78, out[0] & 0xff, "zlib header: deflate, 32K window");
      assertEquals(0, ((out[0] & 0xff) << 8 | (out[1] & 0xff)) % 31, "zlib header check bits");
      assertArrayEquals(in, inflate(out, false));
    }
  }

  // ---------------------------------------------------------------------------------------- flate

  @Test
  void flateIsRawDeflateTheJdkInflaterReadsWithNowrap() throws Exception {
    Compressor flate = Compressor.of("flate");
    for (byte[] in : samples()) {
      byte[] out = flate.compress(in);
      assertArrayEquals(in, inflate(out, true));
    }
    // no zlib header: a zlib reader refuses it
    byte[] out = flate.compress(text(2000));
    assertThrows(DataFormatException.class, () -> inflate(out, false));
  }

  // ----------------------------------------------------------------------------------------- gzip

  @Test
  void gzipIsOneGzipMemberTheJdkReads() throws Exception {
    Compressor gzip = Compressor.of("gzip");
    for (byte[] in : samples()) {
      byte[] out = gzip.compress(in);
      assertEquals(0x1f, out[0] & 0xff);
      assertEquals(0x8b, out[1] & 0xff);
      assertEquals(8, out[2], "CM = deflate");
      try (InputStream gz = new GZIPInputStream(new ByteArrayInputStream(out))) {
        assertArrayEquals(in, gz.readAllBytes());
      }
      // ISIZE: the input length modulo 2^32, little endian, in the last four bytes
      int n = out.length;
      int isize = (out[n - 4] & 0xff) | (out[n - 3] & 0xff) << 8 | (out[n - 2] & 0xff) << 16
        | (out[n - 1] & 0xff) << 24;
      assertEquals(in.length, isize);
    }
  }

  // ----------------------------------------------------------------------------------------- zstd

  @Test
  void zstdIsOneFrameWithContentSizeAndChecksumThatZstdJniDecodes() throws Exception {
    Compressor zstd = Compressor.of("zstd");
    for (byte[] in : samples()) {
      byte[] out = zstd.compress(in);
      assertArrayEquals(new byte[] {0x28, (byte) 0xb5, 0x2f, (byte) 0xfd}, java.util.Arrays.copyOf(out, 4), "magic");
      int descriptor = out[4] & 0xff;
      assertTrue((descriptor & 0x04) != 0, "Content_Checksum_flag, as eKuiper's encoder writes");
      assertEquals(in.length, Zstd.getFrameContentSize(out), "Frame_Content_Size");
      assertArrayEquals(in, Zstd.decompress(out, in.length));
      try (InputStream z = new ZstdInputStream(new ByteArrayInputStream(out))) {
        assertArrayEquals(in, z.readAllBytes());
      }
    }
  }

  @Test
  void zstdChecksumCatchesCorruption() throws Exception {
    byte[] in = text(10_000);
    byte[] out = Compressor.of("zstd").compress(in);
    out[out.length - 1] ^= 0x01; // the last byte belongs to the XXH64 checksum
    assertThrows(IOException.class, () -> {
      try (InputStream z = new ZstdInputStream(new ByteArrayInputStream(out))) {
        z.readAllBytes();
      }
    });
  }

  // ---------------------------------------------------------------------------------------- common

  @Test
  void everyMessageIsItsOwnCompleteStream() throws Exception {
    // eKuiper resets its writer for each message: no state carries over from one to the next
    for (String name : Compressor.NAMES) {
      Compressor c = Compressor.of(name);
      byte[] first = text(5000);
      byte[] second = text(5000);
      byte[] alone = c.compress(second);
      c.compress(first);
      assertArrayEquals(alone, c.compress(second), name + ": the same input gives the same output");
      assertArrayEquals(second, decode(name, c.compress(second)), name);
    }
  }

  @Test
  void compressionShrinksRepetitiveText() {
    byte[] in = text(100_000);
    for (String name : Compressor.NAMES) {
      int n = Compressor.of(name).compress(in).length;
      assertTrue(n < in.length / 5, name + ": " + n + " bytes from " + in.length);
    }
  }

  @Test
  void oneInstanceIsSafeToShareBetweenThreads() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      for (String name : Compressor.NAMES) {
        Compressor c = Compressor.of(name);
        List<Future<?>> results = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
          int seed = t;
          results.add(pool.submit(() -> {
            Random random = new Random(seed);
            for (int i = 0; i < 50; i++) {
              byte[] in = mixed(random, random.nextInt(20_000));
              assertArrayEquals(in, decode(name, c.compress(in)));
            }
            return null;
          }));
        }
        for (Future<?> f : results) {
          f.get();
        }
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void theDifferentStreamsAreNotInterchangeable() throws Exception {
    byte[] in = text(1000);
    assertNotEquals(Compressor.of("zlib").compress(in).length, Compressor.of("flate").compress(in).length);
    assertThrows(IOException.class, () -> decode("gzip", Compressor.of("zlib").compress(in)));
  }

  // --------------------------------------------------------------------------------------- helpers

  static byte[] decode(String name, byte[] out) throws Exception {
    switch (name) {
      case "zlib":
        return inflate(out, false);
      case "flate":
        return inflate(out, true);
      case "gzip":
        try (InputStream gz = new GZIPInputStream(new ByteArrayInputStream(out))) {
          return gz.readAllBytes();
        }
      case "zstd":
        try (InputStream z = new ZstdInputStream(new ByteArrayInputStream(out))) {
          return z.readAllBytes();
        }
      default:
        throw new IllegalArgumentException(name);
    }
  }

  static byte[] inflate(byte[] in, boolean nowrap) throws DataFormatException {
    Inflater inflater = new Inflater(nowrap);
    try {
      inflater.setInput(in);
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      byte[] chunk = new byte[8192];
      while (!inflater.finished()) {
        int n = inflater.inflate(chunk);
        if (n == 0 && !inflater.finished() && (inflater.needsInput() || inflater.needsDictionary())) {
          throw new DataFormatException("truncated stream");
        }
        out.write(chunk, 0, n);
      }
      assertEquals(0, inflater.getRemaining(), "nothing after the end of the stream");
      return out.toByteArray();
    } finally {
      inflater.end();
    }
  }

  /** Empty, tiny, text, binary, and larger than every internal buffer. */
  static List<byte[]> samples() {
    Random random = new Random(7);
    return List.of(
      new byte[0],
      new byte[] {42},
      "{\"temperature\":22.5,\"id\":\"s1\"}".getBytes(StandardCharsets.UTF_8),
      text(70_000),
      mixed(random, 300_000),
      randomBytes(random, 100_000));
  }

  static byte[] text(int length) {
    StringBuilder sb = new StringBuilder(length);
    int i = 0;
    while (sb.length() < length) {
      sb.append("{\"id\":").append(i++ % 97).append(",\"temperature\":").append(20 + i % 7)
        .append(".5,\"ü\":\"温度\"}\n");
    }
    return sb.substring(0, length).getBytes(StandardCharsets.UTF_8);
  }

  static byte[] mixed(Random random, int length) {
    byte[] out = new byte[length];
    for (int i = 0; i < length; i++) {
      out[i] = (byte) (random.nextInt(8) == 0 ? random.nextInt(256) : 'a' + random.nextInt(4));
    }
    return out;
  }

  static byte[] randomBytes(Random random, int length) {
    byte[] out = new byte[length];
    random.nextBytes(out);
    return out;
  }
}
