package io.wsink.pipeline.codec;

import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;

/** AES-CFB-128: IV ‖ ciphertext, as eKuiper's {@code StreamEncrypter}. */
final class AesCfbEncryptor implements Encryptor {

  static final int IV_LENGTH = 16;
  private static final String TRANSFORMATION = "AES/CFB/NoPadding"; // "CFB" without a size is CFB-128 in the JDK

  private final SecretKeySpec key;
  private final byte[] fixedIv;
  private final SecureRandom random = new SecureRandom();

  AesCfbEncryptor(byte[] key, byte[] fixedIv) {
    if (fixedIv != null && fixedIv.length != IV_LENGTH) {
      throw new IllegalArgumentException("encProps.iv for AES mode cfb must be " + IV_LENGTH
        + " bytes once decoded from base64, but it is " + fixedIv.length + " bytes");
    }
    this.key = new SecretKeySpec(key.clone(), "AES");
    this.fixedIv = fixedIv == null ? null : fixedIv.clone();
    Ciphers.check(TRANSFORMATION, this.key, new IvParameterSpec(new byte[IV_LENGTH]));
  }

  @Override
  public byte[] encrypt(byte[] in) {
    byte[] out = new byte[IV_LENGTH + in.length];
    if (fixedIv != null) {
      System.arraycopy(fixedIv, 0, out, 0, IV_LENGTH);
    } else {
      byte[] iv = new byte[IV_LENGTH];
      random.nextBytes(iv);
      System.arraycopy(iv, 0, out, 0, IV_LENGTH);
    }
    try {
      Cipher cipher = Cipher.getInstance(TRANSFORMATION);
      cipher.init(Cipher.ENCRYPT_MODE, key, new IvParameterSpec(out, 0, IV_LENGTH));
      cipher.doFinal(in, 0, in.length, out, IV_LENGTH);
      return out;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-CFB encryption failed", e); // checked at construction: does not happen
    }
  }

  @Override
  public String toString() {
    return "aes-cfb" + (fixedIv != null ? " (fixed iv)" : "");
  }
}
