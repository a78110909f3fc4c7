package io.wsink.pipeline.codec;

import java.util.List;

/**
 * The {@code encryption} stage of §5.1, byte-compatible with eKuiper's {@code aes} encryptor: what eKuiper's peer
 * decrypts, it decrypts from wsink as well.
 *
 * <ul>
 *   <li>{@code cfb} (default): AES in full-block CFB mode (CFB-128, Go's {@code cipher.NewCFBEncrypter}, Java's
 *   {@code AES/CFB/NoPadding}, OpenSSL's {@code aes-*-cfb}); output = 16-byte IV ‖ ciphertext, the ciphertext as long
 *   as the plaintext. The IV is random per message unless fixed — and a fixed IV is written in front too, as eKuiper
 *   does.</li>
 *   <li>{@code gcm}: AES-GCM with a 12-byte nonce and a 16-byte tag; output = nonce ‖ ciphertext ‖ tag (Go's
 *   {@code gcm.Seal(nonce, nonce, plaintext, nil)}). The nonce is random per message unless fixed. A fixed nonce
 *   repeats under the same key, which breaks GCM's confidentiality and integrity: it exists for eKuiper parity and
 *   tests only.</li>
 * </ul>
 *
 * <p>Instances are safe to share between threads.
 */
public interface Encryptor {

  /** The AES modes {@link #aes} accepts. */
  List<String> MODES = List.of("cfb", "gcm");

  /** @return the encrypted message, IV or nonce first */
  byte[] encrypt(byte[] in);

  /**
   * An AES encryptor.
   *
   * @param key            the raw key (eKuiper's {@code aesKey}, once decoded from base64): 16, 24 or 32 bytes
   * @param mode           {@code cfb} or {@code gcm}; null or empty means {@code cfb}, eKuiper's default
   * @param fixedIvOrNull  {@code encProps.iv} once decoded from base64: 16 bytes for {@code cfb}, 12 for
   *                       {@code gcm}; null for a fresh random IV or nonce per message
   * @throws IllegalArgumentException for a wrong key or IV length or an unknown mode, saying what is expected
   */
  static Encryptor aes(byte[] key, String mode, byte[] fixedIvOrNull) {
    String m = mode == null || mode.isEmpty() ? "cfb" : mode;
    if (!MODES.contains(m)) {
      throw new IllegalArgumentException("unsupported AES encryption mode \"" + mode + "\": accepted values are "
        + String.join(", ", MODES));
    }
    if (key == null || (key.length != 16 && key.length != 24 && key.length != 32)) {
      throw new IllegalArgumentException("the AES key must be 16, 24 or 32 bytes (AES-128, AES-192, AES-256) once "
        + "decoded from base64, but it is " + (key == null ? "missing" : key.length + " bytes"));
    }
    return m.equals("cfb") ? new AesCfbEncryptor(key, fixedIvOrNull) : new AesGcmEncryptor(key, fixedIvOrNull);
  }
}
