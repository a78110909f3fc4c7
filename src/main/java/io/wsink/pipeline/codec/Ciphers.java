package io.wsink.pipeline.codec;

import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;
import java.security.GeneralSecurityException;
import java.security.spec.AlgorithmParameterSpec;

final class Ciphers {

  private Ciphers() {
  }

  /** Fails at construction, not on the first message, if this JDK cannot run the cipher with this key. */
  static void check(String transformation, SecretKeySpec key, AlgorithmParameterSpec params) {
    try {
      Cipher.getInstance(transformation).init(Cipher.ENCRYPT_MODE, key, params);
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("this JVM cannot run " + transformation + " with a "
        + key.getEncoded().length * 8 + "-bit key: " + e.getMessage(), e);
    }
  }
}
