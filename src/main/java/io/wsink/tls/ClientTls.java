package io.wsink.tls;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The TLS properties of a client-mode websocket action (SPEC §4), as plain values.
 * An empty string means "not set". A path wins over its raw (base64 PEM) twin.
 */
public record ClientTls(boolean insecureSkipVerify,
                        String certificationPath,
                        String privateKeyPath,
                        String rootCaPath,
                        String certificationRaw,
                        String privateKeyRaw,
                        String rootCARaw) {

  public static final ClientTls NONE = new ClientTls(false, "", "", "", "", "", "");

  // The PEM labels Vert.x's PEM loader accepts (KeyStoreHelper); encrypted keys are not among them.
  private static final String CERT_BEGIN = "-----BEGIN CERTIFICATE-----";
  private static final Pattern KEY_BLOCK =
      Pattern.compile("-----BEGIN ((?:RSA |EC )?PRIVATE KEY)-----([A-Za-z0-9+/=\\s]*)-----END \\1-----");
  /** Certificate bundles are a few KiB; a larger "PEM" file is something else. */
  private static final long MAX_PEM_FILE = 1024 * 1024;
  private static final String ENCRYPTED_KEY_BEGIN = "-----BEGIN ENCRYPTED PRIVATE KEY-----";
  private static final Pattern WHITESPACE = Pattern.compile("\\s+");

  public ClientTls {
    // null is treated as "not set" so callers need not normalise
    certificationPath = orEmpty(certificationPath);
    privateKeyPath = orEmpty(privateKeyPath);
    rootCaPath = orEmpty(rootCaPath);
    certificationRaw = orEmpty(certificationRaw);
    privateKeyRaw = orEmpty(privateKeyRaw);
    rootCARaw = orEmpty(rootCARaw);
  }

  /** True when any TLS property is set; the client scheme then defaults to wss (SPEC §4). */
  public boolean anySet() {
    return insecureSkipVerify
        || !certificationPath.isEmpty() || !privateKeyPath.isEmpty() || !rootCaPath.isEmpty()
        || !certificationRaw.isEmpty() || !privateKeyRaw.isEmpty() || !rootCARaw.isEmpty();
  }

  /**
   * The problems a user must fix, one line each, naming the property. Needs no Vert.x; reads the
   * named files (PEM, at most 1 MiB each), so run it off the event loop, as rule creation does.
   * A raw value whose path twin is set is ignored, so it is not checked either.
   */
  public List<String> validate() {
    List<String> problems = new ArrayList<>();

    boolean certPath = !certificationPath.isEmpty();
    boolean keyPath = !privateKeyPath.isEmpty();
    if (certPath || keyPath) {
      // the path pair is in use: both halves must be paths (a path and a raw value do not mix)
      if (!certPath) {
        problems.add("certificationPath: required when privateKeyPath is set; "
            + "expected the path of the PEM client certificate matching that key");
      }
      if (!keyPath) {
        problems.add("privateKeyPath: required when certificationPath is set; "
            + "expected the path of the PEM private key of that certificate");
      }
      checkFile("certificationPath", certificationPath, problems, false);
      checkFile("privateKeyPath", privateKeyPath, problems, true);
    } else if (!certificationRaw.isEmpty() || !privateKeyRaw.isEmpty()) {
      if (certificationRaw.isEmpty()) {
        problems.add("certificationRaw: required when privateKeyRaw is set; "
            + "expected base64 of the PEM client certificate matching that key");
      }
      if (privateKeyRaw.isEmpty()) {
        problems.add("privateKeyRaw: required when certificationRaw is set; "
            + "expected base64 of the PEM private key of that certificate");
      }
      checkCertRaw("certificationRaw", certificationRaw, problems);
      checkKeyRaw("privateKeyRaw", privateKeyRaw, problems);
    }

    if (!rootCaPath.isEmpty()) {
      checkFile("rootCaPath", rootCaPath, problems, false);
    } else {
      checkCertRaw("rootCARaw", rootCARaw, problems);
    }
    return problems;
  }

  /**
   * Configures the client for TLS. Files are not read here: Vert.x loads them when the client is
   * created, and a bad file fails there. Raw values are decoded here; an undecodable one throws
   * IllegalArgumentException (validate() reports it earlier and better).
   */
  public void applyTo(WebSocketClientOptions options) {
    options.setSsl(true);
    if (insecureSkipVerify) {
      // accept any server certificate and any host name; the trust options would be unused
      options.setTrustAll(true).setVerifyHost(false);
    } else {
      options.setTrustAll(false).setVerifyHost(true);
      if (!rootCaPath.isEmpty()) {
        options.setTrustOptions(new PemTrustOptions().addCertPath(absolute(rootCaPath)));
      } else if (!rootCARaw.isEmpty()) {
        options.setTrustOptions(new PemTrustOptions().addCertValue(decodeOrThrow("rootCARaw", rootCARaw)));
      }
      // neither: no trust options, so the JVM's default trust store applies
    }

    // the client certificate is sent even with insecureSkipVerify (SPEC §4)
    if (!certificationPath.isEmpty() || !privateKeyPath.isEmpty()) {
      options.setKeyCertOptions(new PemKeyCertOptions()
          .setCertPath(absolute(certificationPath))
          .setKeyPath(absolute(privateKeyPath)));
    } else if (!certificationRaw.isEmpty() || !privateKeyRaw.isEmpty()) {
      options.setKeyCertOptions(new PemKeyCertOptions()
          .setCertValue(decodeOrThrow("certificationRaw", certificationRaw))
          .setKeyValue(decodeOrThrow("privateKeyRaw", privateKeyRaw)));
    }
  }

  /**
   * Decodes a raw property: standard base64, line breaks and other whitespace ignored (which also
   * covers MIME-wrapped input). Returns null when the value is not base64.
   */
  static String decode(String raw) {
    try {
      byte[] bytes = Base64.getDecoder().decode(WHITESPACE.matcher(raw).replaceAll(""));
      return new String(bytes, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static Buffer decodeOrThrow(String property, String raw) {
    String pem = decode(raw);
    if (pem == null) {
      throw new IllegalArgumentException(property + ": not valid base64");
    }
    return Buffer.buffer(pem);
  }

  private static void checkCertRaw(String property, String raw, List<String> problems) {
    if (raw.isEmpty()) {
      return;
    }
    String pem = decode(raw);
    if (pem == null) {
      problems.add(property + ": not valid base64; expected the base64 encoding of PEM text "
          + "containing " + CERT_BEGIN);
      return;
    }
    String problem = certificateProblem(pem);
    if (problem != null) {
      problems.add(property + ": the decoded text " + problem);
    }
  }

  private static void checkKeyRaw(String property, String raw, List<String> problems) {
    if (raw.isEmpty()) {
      return;
    }
    String pem = decode(raw);
    if (pem == null) {
      problems.add(property + ": not valid base64; expected the base64 encoding of a PEM private key "
          + "(-----BEGIN PRIVATE KEY-----, RSA or EC)");
      return;
    }
    String problem = keyProblem(pem);
    if (problem != null) {
      problems.add(property + ": the decoded text " + problem);
    }
  }

  /** Null when {@code pem} holds at least one X.509 certificate, all of them readable; else what is wrong. */
  private static String certificateProblem(String pem) {
    if (!pem.contains(CERT_BEGIN)) {
      return "holds no PEM certificate; expected PEM text containing " + CERT_BEGIN;
    }
    try {
      CertificateFactory.getInstance("X.509")
          .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
      return null;
    } catch (CertificateException e) {
      return "holds a PEM certificate that cannot be read (" + firstLine(e.getMessage()) + ")";
    }
  }

  /**
   * Null when {@code pem} holds an unencrypted private key whose body is DER (PKCS#8, or PKCS#1 RSA / SEC1 EC, as Vert.x
   * loads them); else what is wrong. The key itself is checked by Vert.x when the client is built.
   */
  private static String keyProblem(String pem) {
    if (pem.contains(ENCRYPTED_KEY_BEGIN)) {
      return "holds an encrypted private key, which is not supported; expected an unencrypted PEM key "
          + "(-----BEGIN PRIVATE KEY-----, RSA or EC)";
    }
    Matcher key = KEY_BLOCK.matcher(pem);
    if (!key.find()) {
      return "holds no PEM private key; expected PEM text containing -----BEGIN PRIVATE KEY----- "
          + "(or RSA PRIVATE KEY, EC PRIVATE KEY)";
    }
    byte[] der;
    try {
      der = Base64.getMimeDecoder().decode(key.group(2));
    } catch (IllegalArgumentException e) {
      return "holds a PEM private key whose body is not base64";
    }
    if (der.length < 2 || der[0] != 0x30) { // every one of these key formats is an ASN.1 SEQUENCE
      return "holds a PEM private key whose body is not a DER key";
    }
    return null;
  }

  private static void checkFile(String property, String path, List<String> problems, boolean privateKey) {
    if (path.isEmpty()) {
      return;
    }
    Path file;
    try {
      file = Path.of(path).toAbsolutePath();
    } catch (InvalidPathException e) {
      problems.add(property + ": not a valid file path: " + path + "; expected the path of a readable PEM file");
      return;
    }
    String hint = Path.of(path).isAbsolute() ? "" : " (relative paths resolve against " + cwd() + ")";
    if (!Files.exists(file)) {
      problems.add(property + ": file not found: " + file + "; expected a readable PEM file" + hint);
    } else if (!Files.isRegularFile(file)) {
      problems.add(property + ": not a regular file: " + file + "; expected a readable PEM file");
    } else if (!Files.isReadable(file)) {
      problems.add(property + ": file not readable: " + file + "; expected a readable PEM file");
    } else {
      String problem = pemFileProblem(file, privateKey);
      if (problem != null) {
        problems.add(property + ": file " + file + " " + problem);
      }
    }
  }

  private static String pemFileProblem(Path file, boolean privateKey) {
    try {
      if (Files.size(file) > MAX_PEM_FILE) {
        return "is larger than " + MAX_PEM_FILE + " bytes; expected a PEM file";
      }
      String pem = Files.readString(file, StandardCharsets.ISO_8859_1); // PEM is ASCII; never fails to decode
      return privateKey ? keyProblem(pem) : certificateProblem(pem);
    } catch (IOException e) {
      return "cannot be read (" + e.getMessage() + ")";
    }
  }

  private static String firstLine(String text) {
    if (text == null) {
      return "malformed";
    }
    int end = text.indexOf('\n');
    return end < 0 ? text : text.substring(0, end);
  }

  // Resolve here rather than leaving it to Vert.x, whose file resolver would also look on the classpath.
  private static String absolute(String path) {
    return path.isEmpty() ? path : Path.of(path).toAbsolutePath().toString();
  }

  private static String cwd() {
    return Path.of("").toAbsolutePath().toString();
  }

  private static String orEmpty(String s) {
    return s == null ? "" : s;
  }
}
