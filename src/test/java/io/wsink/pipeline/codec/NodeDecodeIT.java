package io.wsink.pipeline.codec;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * wsink's compressed and encrypted messages read by a separate program: node's {@code zlib} (zlib, gzip, raw deflate,
 * and zstd where that node has it) and {@code crypto} (AES-CFB-128, AES-GCM), fed by files this test writes; and the
 * {@code gzip} and {@code zstd} command line tools where they are installed.
 *
 * <p>node is required: without it on PATH this test fails, it does not skip.
 */
@Timeout(120)
class NodeDecodeIT {

  private static final HexFormat HEX = HexFormat.of();

  /** Reads each {@code <name>.bin} of the folder in argv[1] as its name says and writes the plaintext to
   *  {@code <name>.out}; prints one line per file. Any failure exits non-zero with the reason. */
  private static final String NODE_SCRIPT = """
    const fs = require('fs'), path = require('path'), zlib = require('zlib'), crypto = require('crypto');
    const dir = process.argv[1];
    const read = (f) => fs.readFileSync(path.join(dir, f));
    const key = (bits) => Buffer.from(read('key' + bits + '.hex').toString().trim(), 'hex');
    const cfb = (bits, msg) => {
      const d = crypto.createDecipheriv('aes-' + bits + '-cfb', key(bits), msg.subarray(0, 16));
      return Buffer.concat([d.update(msg.subarray(16)), d.final()]);
    };
    const gcm = (bits, msg) => {
      const d = crypto.createDecipheriv('aes-' + bits + '-gcm', key(bits), msg.subarray(0, 12));
      d.setAuthTag(msg.subarray(msg.length - 16));
      return Buffer.concat([d.update(msg.subarray(12, msg.length - 16)), d.final()]);
    };
    const decoders = {
      'zlib': (m) => zlib.inflateSync(m),
      'gzip': (m) => zlib.gunzipSync(m),
      'flate': (m) => zlib.inflateRawSync(m),
      'cfb128': (m) => cfb(128, m),
      'cfb256': (m) => cfb(256, m),
      'cfb256-fixed-iv': (m) => cfb(256, m),
      'gcm128': (m) => gcm(128, m),
      'gcm256': (m) => gcm(256, m),
      'gcm256-fixed-nonce': (m) => gcm(256, m),
      'zlib-gcm256': (m) => zlib.inflateSync(gcm(256, m)),
      'gzip-cfb128': (m) => zlib.gunzipSync(cfb(128, m)),
      'flate-gcm128': (m) => zlib.inflateRawSync(gcm(128, m)),
    };
    if (typeof zlib.zstdDecompressSync === 'function') {
      decoders['zstd'] = (m) => zlib.zstdDecompressSync(m);
    } else {
      console.log('zstd: this node (' + process.version + ') has no zstd in zlib');
    }
    for (const [name, decode] of Object.entries(decoders)) {
      const out = decode(read(name + '.bin'));
      fs.writeFileSync(path.join(dir, name + '.out'), out);
      console.log(name + ': ' + out.length + ' bytes');
    }
    try {
      gcm(256, read('gcm256-tampered.bin'));
      console.log('tampered: accepted');
    } catch (e) {
      fs.writeFileSync(path.join(dir, 'tampered.out'), 'rejected: ' + e.message);
      console.log('tampered: rejected (' + e.message + ')');
    }
    """;

  @TempDir
  Path dir;

  @Test
  void nodeDecodesWhatWsinkCompressesAndEncrypts() throws Exception {
    String node = onPath("node");
    if (node == null) {
      fail("node is not on PATH (" + System.getenv("PATH") + "): NodeDecodeIT checks wsink's compressed and encrypted "
        + "output with node's zlib and crypto, so it needs Node.js (Debian: apt-get install nodejs); CI has it");
    }
    byte[] plain = plaintext();
    byte[] key128 = new byte[16];
    byte[] key256 = new byte[32];
    Random random = new Random(2024);
    random.nextBytes(key128);
    random.nextBytes(key256);
    write("plain.bin", plain);
    write("key128.hex", HEX.formatHex(key128).getBytes(StandardCharsets.US_ASCII));
    write("key256.hex", HEX.formatHex(key256).getBytes(StandardCharsets.US_ASCII));

    Compressor zlib = Compressor.of("zlib");
    Compressor gzip = Compressor.of("gzip");
    Compressor flate = Compressor.of("flate");
    write("zlib.bin", zlib.compress(plain));
    write("gzip.bin", gzip.compress(plain));
    write("flate.bin", flate.compress(plain));
    write("zstd.bin", Compressor.of("zstd").compress(plain));
    write("cfb128.bin", Encryptor.aes(key128, "cfb", null).encrypt(plain));
    write("cfb256.bin", Encryptor.aes(key256, "cfb", null).encrypt(plain));
    write("cfb256-fixed-iv.bin", Encryptor.aes(key256, "cfb", HEX.parseHex("00112233445566778899aabbccddeeff"))
      .encrypt(plain));
    write("gcm128.bin", Encryptor.aes(key128, "gcm", null).encrypt(plain));
    write("gcm256.bin", Encryptor.aes(key256, "gcm", null).encrypt(plain));
    write("gcm256-fixed-nonce.bin", Encryptor.aes(key256, "gcm", HEX.parseHex("00112233445566778899aabb"))
      .encrypt(plain));
    write("zlib-gcm256.bin", Encryptor.aes(key256, "gcm", null).encrypt(zlib.compress(plain)));
    write("gzip-cfb128.bin", Encryptor.aes(key128, "cfb", null).encrypt(gzip.compress(plain)));
    write("flate-gcm128.bin", Encryptor.aes(key128, "gcm", null).encrypt(flate.compress(plain)));
    byte[] tampered = Encryptor.aes(key256, "gcm", null).encrypt(plain);
    tampered[30] ^= 0x40;
    write("gcm256-tampered.bin", tampered);

    Result r = run(List.of(node, "-e", NODE_SCRIPT, dir.toString()));
    assertEquals(0, r.exit, "node failed:\n" + r.output);

    List<String> names = new ArrayList<>(List.of("zlib", "gzip", "flate", "cfb128", "cfb256", "cfb256-fixed-iv",
      "gcm128", "gcm256", "gcm256-fixed-nonce", "zlib-gcm256", "gzip-cfb128", "flate-gcm128"));
    if (!r.output.contains("zstd: this node")) {
      names.add("zstd");
    }
    for (String name : names) {
      Path out = dir.resolve(name + ".out");
      assertTrue(Files.exists(out), name + ": node wrote no output\n" + r.output);
      assertArrayEquals(plain, Files.readAllBytes(out), name + ": node read other bytes\n" + r.output);
    }
    assertTrue(Files.readString(dir.resolve("tampered.out")).startsWith("rejected"), r.output);
  }

  @Test
  void nodeWritesTheSameShortestFloatDigitsAsDelimited() throws Exception {
    // Go's FormatFloat(v, 'f', -1, 64) and JavaScript's Number#toString both pick the fewest digits that read back,
    // the closest such; node only adds an exponent, which the script below spells out
    String node = onPath("node");
    if (node == null) {
      fail("node is not on PATH (" + System.getenv("PATH") + "): NodeDecodeIT needs Node.js; CI has it");
    }
    List<Double> values = new ArrayList<>();
    Random random = new Random(99);
    for (int k = -1074; k <= 1023; k += 7) { // powers of two and their neighbours: where the interval is lopsided
      double d = Math.scalb(1.0, k);
      values.add(d);
      values.add(Math.nextUp(d));
      values.add(Math.nextDown(d));
    }
    for (int i = 0; i < 3000; i++) {
      double d = switch (i % 3) {
        case 0 -> Double.longBitsToDouble(random.nextLong());
        case 1 -> (random.nextDouble() - 0.5) * Math.pow(10, random.nextInt(40) - 20);
        default -> Math.round(random.nextDouble() * 1e6) / 100.0;
      };
      if (!Double.isNaN(d) && !Double.isInfinite(d)) {
        values.add(d);
      }
    }
    java.nio.ByteBuffer bits = java.nio.ByteBuffer.allocate(values.size() * 8);
    values.forEach(bits::putDouble);
    write("floats.bin", bits.array());
    String script = """
      const fs = require('fs'), path = require('path');
      const b = fs.readFileSync(path.join(process.argv[1], 'floats.bin'));
      const plain = (x) => {
        let s = x.toString();
        if (!s.includes('e')) return s;
        let [m, e] = s.split('e'); e = parseInt(e);
        const neg = m.startsWith('-'); if (neg) m = m.slice(1);
        const [i, f = ''] = m.split('.'); const digits = i + f; const point = i.length + e;
        const r = point <= 0 ? '0.' + '0'.repeat(-point) + digits
          : point >= digits.length ? digits + '0'.repeat(point - digits.length)
          : digits.slice(0, point) + '.' + digits.slice(point);
        return (neg ? '-' : '') + r;
      };
      const out = [];
      for (let o = 0; o < b.length; o += 8) out.push(plain(b.readDoubleBE(o)));
      fs.writeFileSync(path.join(process.argv[1], 'floats.txt'), out.join('\\n'));
      """;
    Result r = run(List.of(node, "-e", script, dir.toString()));
    assertEquals(0, r.exit, "node failed:\n" + r.output);
    String[] expected = Files.readString(dir.resolve("floats.txt")).split("\n");
    assertEquals(values.size(), expected.length);
    for (int i = 0; i < expected.length; i++) {
      double d = values.get(i);
      String want = d == 0 && 1 / d < 0 ? "-0" : expected[i]; // JavaScript writes -0 as "0", Go as "-0"
      assertEquals(want, DelimitedFormat.goFormatFloat(d, false),
        "bits " + Long.toHexString(Double.doubleToLongBits(d)));
    }
  }

  @Test
  void theGzipToolDecodesGzip() throws Exception {
    String gzip = onPath("gzip");
    assumeTrue(gzip != null, "the gzip command is not on PATH");
    byte[] plain = plaintext();
    Path file = write("message.gz", Compressor.of("gzip").compress(plain));
    Result r = run(List.of(gzip, "-t", file.toString()));
    assertEquals(0, r.exit, r.output);
    r = run(List.of(gzip, "-d", "-k", file.toString()));
    assertEquals(0, r.exit, r.output);
    assertArrayEquals(plain, Files.readAllBytes(dir.resolve("message")));
  }

  @Test
  void theZstdToolDecodesZstd() throws Exception {
    String zstd = onPath("zstd");
    assumeTrue(zstd != null, "the zstd command is not on PATH (Debian package zstd)");
    byte[] plain = plaintext();
    Path file = write("message.zst", Compressor.of("zstd").compress(plain));
    Result r = run(List.of(zstd, "-q", "-d", "-f", file.toString(), "-o", dir.resolve("message").toString()));
    assertEquals(0, r.exit, r.output);
    assertArrayEquals(plain, Files.readAllBytes(dir.resolve("message")));
    r = run(List.of(zstd, "-lv", file.toString()));
    assertEquals(0, r.exit, r.output);
    assertTrue(r.output.contains("XXH64"), "the frame carries a checksum:\n" + r.output);
  }

  // --------------------------------------------------------------------------------------- helpers

  /** JSON lines with non-ASCII text and some binary bytes: 200 KB, more than one deflate block or AES-GCM chunk. */
  private static byte[] plaintext() {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; sb.length() < 200_000; i++) {
      sb.append("{\"id\":\"s").append(i % 13).append("\",\"temperature\":").append(20 + i % 9).append(".5,")
        .append("\"note\":\"Grüße 温度 🌡\"}\n");
    }
    byte[] text = sb.toString().getBytes(StandardCharsets.UTF_8);
    byte[] out = new byte[text.length + 256];
    System.arraycopy(text, 0, out, 0, text.length);
    for (int b = 0; b < 256; b++) {
      out[text.length + b] = (byte) b;
    }
    return out;
  }

  private Path write(String name, byte[] bytes) throws IOException {
    return Files.write(dir.resolve(name), bytes);
  }

  private static String onPath(String command) {
    String path = System.getenv("PATH");
    if (path == null) {
      return null;
    }
    for (String d : path.split(File.pathSeparator)) {
      Path candidate = Path.of(d.isEmpty() ? "." : d, command);
      if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
        return candidate.toString();
      }
    }
    return null;
  }

  private record Result(int exit, String output) {
  }

  private Result run(List<String> command) throws IOException, InterruptedException {
    Path log = Files.createTempFile(dir, "process", ".log");
    Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
      .redirectOutput(log.toFile()).start();
    p.getOutputStream().close();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      fail(command.get(0) + " did not finish in 60 s:\n" + Files.readString(log));
    }
    return new Result(p.exitValue(), Files.readString(log));
  }
}
