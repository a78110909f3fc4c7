package io.wsink.pipeline.codec;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;

/** AES-GCM, 12-byte nonce, 16-byte tag: nonce ‖ ciphertext ‖ tag, as eKuiper's {@code GcmEncrypter} without aad. */
final class AesGcmEncryptor implements Encryptor {

  static final int NONCE_LENGTH = 12;
  static final int TAG_BITS = 128;
  private static final String TRANSFORMATION = "AES/GCM/NoPadding";

  private final SecretKeySpec key;
  private final byte[] fixedNonce;
  private final SecureRandom random = new SecureRandom();

  AesGcmEncryptor(byte[] key, byte[] fixedNonce) {
    if (fixedNonce != null && fixedNonce.length != NONCE_LENGTH) {
      throw new IllegalArgumentException("encProps.iv for AES mode gcm (the nonce) must be " + NONCE_LENGTH
        + " bytes once decoded from base64, but it is " + fixedNonce.length + " bytes");
    }
    this.key = new SecretKeySpec(key.clone(), "AES");
    this.fixedNonce = fixedNonce == null ? null : fixedNonce.clone();
    Ciphers.check(TRANSFORMATION, this.key, new GCMParameterSpec(TAG_BITS, new byte[NONCE_LENGTH]));
  }

  @Override
  public byte[] encrypt(byte[] in) {
    byte[] out = new byte[NONCE_LENGTH + in.length + TAG_BITS / 8];
    if (fixedNonce != null) {
      System.arraycopy(fixedNonce, 0, out, 0, NONCE_LENGTH);
    } else {
      byte[] nonce = new byte[NONCE_LENGTH];
      random.nextBytes(nonce);
      System.arraycopy(nonce, 0, out, 0, NONCE_LENGTH);
    }
    try {
      // a new Cipher each time: the JDK refuses to re-init one for encryption with the key and nonce it last used,
      // which a fixed nonce does on purpose
      Cipher cipher = Cipher.getInstance(TRANSFORMATION);
      cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, out, 0, NONCE_LENGTH));
      cipher.doFinal(in, 0, in.length, out, NONCE_LENGTH); // the JDK appends the tag, as Go's Seal does
      return out;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM encryption failed", e); // checked at construction: does not happen
    }
  }

  @Override
  public String toString() {
    return "aes-gcm" + (fixedNonce != null ? " (fixed nonce)" : "");
  }
}
