package io.wsink.pipeline.codec;

import org.junit.jupiter.api.Test;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Encryptor}: eKuiper's AES layouts, decrypted by the JDK's {@link Cipher}, and known-answer vectors computed
 * outside this code (OpenSSL on the build machine, NIST SP 800-38A, the GCM specification).
 */
class EncryptorTest {

  private static final HexFormat HEX = HexFormat.of();
  private static final byte[] KEY_128 = HEX.parseHex("000102030405060708090a0b0c0d0e0f");
  private static final byte[] KEY_192 = HEX.parseHex("000102030405060708090a0b0c0d0e0f1011121314151617");
  private static final byte[] KEY_256 =
    HEX.parseHex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
  private static final byte[] MESSAGE =
    "{\"temperature\":22.5,\"id\":\"s1\",\"note\":\"Grüße\"} and some more text past two blocks"
      .getBytes(StandardCharsets.UTF_8);

  // ------------------------------------------------------------------------------------------- cfb

  @Test
  void cfbIsIvThenCiphertextThatTheJdkDecrypts() throws Exception {
    for (byte[] key : new byte[][] {KEY_128, KEY_192, KEY_256}) {
      Encryptor cfb = Encryptor.aes(key, "cfb", null);
      for (int length : new int[] {0, 1, 15, 16, 17, MESSAGE.length, 10_000}) {
        byte[] plain = Arrays.copyOf(MESSAGE, length);
        byte[] out = cfb.encrypt(plain);
        assertEquals(16 + length, out.length, "16-byte IV, then as many bytes as the plaintext");
        assertArrayEquals(plain, decryptCfb(key, out), key.length * 8 + "-bit key, " + length + " bytes");
      }
    }
  }

  @Test
  void cfbIsTheDefaultMode() throws Exception {
    for (String mode : new String[] {null, ""}) {
      byte[] out = Encryptor.aes(KEY_128, mode, null).encrypt(MESSAGE);
      assertEquals(16 + MESSAGE.length, out.length);
      assertArrayEquals(MESSAGE, decryptCfb(KEY_128, out));
    }
  }

  @Test
  void cfbTakesAFreshRandomIvForEachMessage() {
    Encryptor cfb = Encryptor.aes(KEY_128, "cfb", null);
    Set<String> ivs = new HashSet<>();
    for (int i = 0; i < 200; i++) {
      ivs.add(HEX.formatHex(Arrays.copyOf(cfb.encrypt(MESSAGE), 16)));
    }
    assertEquals(200, ivs.size());
  }

  @Test
  void cfbMatchesOpenSslForEveryKeySize() {
    // printf 'wsink known-answer vector for AES-CFB128 (47 B)' > kat.txt   (47 bytes: the last block is partial)
    // openssl enc -aes-128-cfb -K 000102030405060708090a0b0c0d0e0f -iv f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff -in kat.txt | xxd -p
    // (and -aes-192-cfb, -aes-256-cfb with the longer keys; OpenSSL 3.0.19; "cfb" there is CFB-128, as Go's)
    byte[] plain = "wsink known-answer vector for AES-CFB128 (47 B)".getBytes(StandardCharsets.US_ASCII);
    byte[] iv = HEX.parseHex("f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff");
    String[][] vectors = {
      {"000102030405060708090a0b0c0d0e0f",
        "11d4ae865f725a26f826b02a5278dedaf46bc00b277ca82a32046aca4664421afe255aa544c12673558053b8c9be6a"},
      {"000102030405060708090a0b0c0d0e0f1011121314151617",
        "5cf1213c3fd202fedcae582f918bdb84879b60c9a8436274aa6c922e4f58ebb6fcfaf8384acf6f24e5c68ecac597e5"},
      {"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
        "e573a4e348b6eba5351e8879215c1063ec9542f86b9ba630ba525bb6dc7c69a2d46772469cd7d15a86df06cc4ab5f8"},
    };
    for (String[] v : vectors) {
      byte[] out = Encryptor.aes(HEX.parseHex(v[0]), "cfb", iv).encrypt(plain);
      assertEquals("f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff" + v[1], HEX.formatHex(out), "key " + v[0]);
    }
  }

  @Test
  void cfbMatchesNistSp80038a() {
    // NIST SP 800-38A, F.3.13 CFB128-AES128.Encrypt, blocks 1 and 2
    byte[] key = HEX.parseHex("2b7e151628aed2a6abf7158809cf4f3c");
    byte[] iv = HEX.parseHex("000102030405060708090a0b0c0d0e0f");
    byte[] plain = HEX.parseHex("6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51");
    byte[] out = Encryptor.aes(key, "cfb", iv).encrypt(plain);
    assertEquals("000102030405060708090a0b0c0d0e0f"
      + "3b3fd92eb72dad20333449f8e83cfb4ac8a64537a0b3a93fcde3cdad9f1ce58b", HEX.formatHex(out));
  }

  @Test
  void aFixedCfbIvIsStillWrittenInFrontAndGivesTheSameOutput() throws Exception {
    byte[] iv = HEX.parseHex("0f0e0d0c0b0a09080706050403020100");
    Encryptor cfb = Encryptor.aes(KEY_256, "cfb", iv);
    byte[] first = cfb.encrypt(MESSAGE);
    assertArrayEquals(first, cfb.encrypt(MESSAGE));
    assertArrayEquals(iv, Arrays.copyOf(first, 16));
    assertArrayEquals(MESSAGE, decryptCfb(KEY_256, first));
  }

  // ------------------------------------------------------------------------------------------- gcm

  @Test
  void gcmIsNonceCiphertextTagThatTheJdkDecrypts() throws Exception {
    for (byte[] key : new byte[][] {KEY_128, KEY_192, KEY_256}) {
      Encryptor gcm = Encryptor.aes(key, "gcm", null);
      for (int length : new int[] {0, 1, 11, 12, 16, MESSAGE.length, 10_000}) {
        byte[] plain = Arrays.copyOf(MESSAGE, length);
        byte[] out = gcm.encrypt(plain);
        assertEquals(12 + length + 16, out.length, "12-byte nonce, ciphertext, 16-byte tag");
        assertArrayEquals(plain, decryptGcm(key, out), key.length * 8 + "-bit key, " + length + " bytes");
      }
    }
  }

  @Test
  void gcmTakesAFreshRandomNonceForEachMessage() {
    Encryptor gcm = Encryptor.aes(KEY_128, "gcm", null);
    Set<String> nonces = new HashSet<>();
    for (int i = 0; i < 200; i++) {
      nonces.add(HEX.formatHex(Arrays.copyOf(gcm.encrypt(MESSAGE), 12)));
    }
    assertEquals(200, nonces.size());
  }

  @Test
  void gcmMatchesTheGcmSpecificationTestCases() {
    // McGrew & Viega, "The Galois/Counter Mode of Operation", test case 2 (and 3: 64 bytes, no AAD); the same
    // bytes came out of node's crypto here: createCipheriv('aes-128-gcm', key, iv), update, final, getAuthTag
    byte[] out = Encryptor.aes(new byte[16], "gcm", new byte[12]).encrypt(new byte[16]);
    assertEquals("000000000000000000000000" + "0388dace60b6a392f328c2b971b2fe78" + "ab6e47d42cec13bdf53a67b21257bddf",
      HEX.formatHex(out));

    byte[] key = HEX.parseHex("feffe9928665731c6d6a8f9467308308");
    byte[] nonce = HEX.parseHex("cafebabefacedbaddecaf888");
    byte[] plain = HEX.parseHex("d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
      + "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255");
    out = Encryptor.aes(key, "gcm", nonce).encrypt(plain);
    assertEquals("cafebabefacedbaddecaf888"
        + "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
        + "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091473f5985"
        + "4d5c2af327cd64a62cf35abd2ba6fab4",
      HEX.formatHex(out));
  }

  @Test
  void aFixedGcmNonceCanBeUsedAgain() throws Exception {
    // the JDK refuses to re-init one Cipher with the same key and nonce; eKuiper allows a constant nonce
    byte[] nonce = HEX.parseHex("0102030405060708090a0b0c");
    Encryptor gcm = Encryptor.aes(KEY_128, "gcm", nonce);
    byte[] first = gcm.encrypt(MESSAGE);
    assertArrayEquals(first, gcm.encrypt(MESSAGE));
    assertArrayEquals(nonce, Arrays.copyOf(first, 12));
    assertArrayEquals(MESSAGE, decryptGcm(KEY_128, first));
  }

  @Test
  void aTamperedGcmMessageIsRefusedByTheReader() {
    byte[] out = Encryptor.aes(KEY_256, "gcm", null).encrypt(MESSAGE);
    out[20] ^= 0x01;
    assertThrows(AEADBadTagException.class, () -> decryptGcm(KEY_256, out));
  }

  // ---------------------------------------------------------------------------------------- common

  @Test
  void theKeyAndIvAreCopied() {
    byte[] key = KEY_128.clone();
    byte[] iv = new byte[16];
    Encryptor cfb = Encryptor.aes(key, "cfb", iv);
    byte[] before = cfb.encrypt(MESSAGE);
    Arrays.fill(key, (byte) 7);
    Arrays.fill(iv, (byte) 7);
    assertArrayEquals(before, cfb.encrypt(MESSAGE));
  }

  @Test
  void compressedThenEncryptedDecryptsThenInflates() throws Exception {
    // §5.1: format → compression → encryption; the reader undoes them in reverse
    byte[] json = CompressorTest.text(5000);
    byte[] wire = Encryptor.aes(KEY_256, "gcm", null).encrypt(Compressor.of("zlib").compress(json));
    assertArrayEquals(json, CompressorTest.inflate(decryptGcm(KEY_256, wire), false));
    wire = Encryptor.aes(KEY_128, "cfb", null).encrypt(Compressor.of("gzip").compress(json));
    assertArrayEquals(json, CompressorTest.decode("gzip", decryptCfb(KEY_128, wire)));
  }

  @Test
  void aKeyOfTheWrongLengthIsRefused() {
    for (int length : new int[] {0, 8, 15, 17, 20, 31, 33, 64}) {
      for (String mode : new String[] {"cfb", "gcm"}) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> Encryptor.aes(new byte[length], mode, null));
        assertEquals("the AES key must be 16, 24 or 32 bytes (AES-128, AES-192, AES-256) once decoded from base64, "
          + "but it is " + length + " bytes", e.getMessage());
      }
    }
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Encryptor.aes(null, "cfb", null));
    assertTrue(e.getMessage().endsWith("but it is missing"), e.getMessage());
  }

  @Test
  void anIvOfTheWrongLengthIsRefused() {
    for (int length : new int[] {0, 12, 15, 17, 32}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Encryptor.aes(KEY_128, "cfb", new byte[length]));
      assertEquals("encProps.iv for AES mode cfb must be 16 bytes once decoded from base64, but it is " + length
        + " bytes", e.getMessage());
    }
    for (int length : new int[] {0, 8, 11, 13, 16}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Encryptor.aes(KEY_128, "gcm", new byte[length]));
      assertEquals("encProps.iv for AES mode gcm (the nonce) must be 12 bytes once decoded from base64, but it is "
        + length + " bytes", e.getMessage());
    }
  }

  @Test
  void anUnknownModeIsRefusedNamingTheAcceptedValues() {
    for (String mode : new String[] {"cbc", "ctr", "CFB", "gcm "}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Encryptor.aes(KEY_128, mode, null));
      assertEquals("unsupported AES encryption mode \"" + mode + "\": accepted values are cfb, gcm", e.getMessage());
    }
  }

  @Test
  void cfbAndGcmDiffer() {
    byte[] iv = new byte[16];
    assertNotEquals(HEX.formatHex(Encryptor.aes(KEY_128, "cfb", iv).encrypt(MESSAGE)),
      HEX.formatHex(Encryptor.aes(KEY_128, "gcm", Arrays.copyOf(iv, 12)).encrypt(MESSAGE)));
  }

  // --------------------------------------------------------------------------------------- helpers

  static byte[] decryptCfb(byte[] key, byte[] message) throws Exception {
    Cipher cipher = Cipher.getInstance("AES/CFB/NoPadding");
    cipher.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "AES"), new IvParameterSpec(message, 0, 16));
    return cipher.doFinal(message, 16, message.length - 16);
  }

  static byte[] decryptGcm(byte[] key, byte[] message) throws Exception {
    Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
    cipher.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, message, 0, 12));
    return cipher.doFinal(message, 12, message.length - 12);
  }
}
