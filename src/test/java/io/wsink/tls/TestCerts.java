package io.wsink.tls;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;

/**
 * Test PKI written as PEM files (certificates as CERTIFICATE, keys as unencrypted PKCS#8 PRIVATE KEY,
 * RSA 2048, valid from yesterday for 30 days):
 * <ul>
 *   <li>{@code ca.pem}: self-signed CA (CN=wsink-test-ca, CA:true);</li>
 *   <li>{@code server.pem} / {@code server-key.pem}: signed by the CA, SAN DNS:localhost and IP:127.0.0.1;</li>
 *   <li>{@code client.pem} / {@code client-key.pem}: signed by the CA, CN=wsink-test-client;</li>
 *   <li>{@code rogue.pem} / {@code rogue-key.pem}: self-signed, CN and SAN rogue.invalid (matches no test host).</li>
 * </ul>
 * The material is generated once per JVM (RSA key generation is the slow part) and written into
 * every directory passed to {@link #create(Path)}.
 */
public final class TestCerts {

  public static final String CLIENT_CN = "wsink-test-client";

  private static Pem generated;

  private final Path dir;

  private TestCerts(Path dir) {
    this.dir = dir;
  }

  /** Writes the PEM files into {@code dir} (created if missing). */
  public static TestCerts create(Path dir) {
    Pem pem = pem();
    try {
      Files.createDirectories(dir);
      Files.writeString(dir.resolve("ca.pem"), pem.caCert);
      Files.writeString(dir.resolve("server.pem"), pem.serverCert);
      Files.writeString(dir.resolve("server-key.pem"), pem.serverKey);
      Files.writeString(dir.resolve("client.pem"), pem.clientCert);
      Files.writeString(dir.resolve("client-key.pem"), pem.clientKey);
      Files.writeString(dir.resolve("rogue.pem"), pem.rogueCert);
      Files.writeString(dir.resolve("rogue-key.pem"), pem.rogueKey);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new TestCerts(dir);
  }

  public Path caCert() {
    return dir.resolve("ca.pem");
  }

  public Path serverCert() {
    return dir.resolve("server.pem");
  }

  public Path serverKey() {
    return dir.resolve("server-key.pem");
  }

  public Path clientCert() {
    return dir.resolve("client.pem");
  }

  public Path clientKey() {
    return dir.resolve("client-key.pem");
  }

  public Path rogueCert() {
    return dir.resolve("rogue.pem");
  }

  public Path rogueKey() {
    return dir.resolve("rogue-key.pem");
  }

  /** Base64 of the file's bytes, as a user puts a PEM file into {@code rootCARaw} and friends. */
  public static String base64(Path file) {
    try {
      return Base64.getEncoder().encodeToString(Files.readAllBytes(file));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private record Pem(String caCert, String serverCert, String serverKey, String clientCert, String clientKey,
                     String rogueCert, String rogueKey) {
  }

  private static synchronized Pem pem() {
    if (generated == null) {
      try {
        generated = generate();
      } catch (Exception e) {
        throw new IllegalStateException("cannot generate test certificates", e);
      }
    }
    return generated;
  }

  private static Pem generate() throws Exception {
    KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
    rsa.initialize(2048);
    KeyPair ca = rsa.generateKeyPair();
    KeyPair server = rsa.generateKeyPair();
    KeyPair client = rsa.generateKeyPair();
    KeyPair rogue = rsa.generateKeyPair();

    X500Name caName = new X500Name("CN=wsink-test-ca");
    X500Name rogueName = new X500Name("CN=rogue.invalid");
    JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();

    X509v3CertificateBuilder caB = builder(caName, caName, ca.getPublic())
        .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
        .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
        .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(ca.getPublic()));

    X509v3CertificateBuilder serverB = leaf(caName, new X500Name("CN=localhost"), server.getPublic(), ca, ext,
        KeyPurposeId.id_kp_serverAuth)
        .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
            new GeneralName(GeneralName.dNSName, "localhost"),
            new GeneralName(GeneralName.iPAddress, "127.0.0.1")}));

    X509v3CertificateBuilder clientB = leaf(caName, new X500Name("CN=" + CLIENT_CN), client.getPublic(), ca, ext,
        KeyPurposeId.id_kp_clientAuth);

    // self-signed and named for a host no test dials, so only "trust anything" accepts it
    X509v3CertificateBuilder rogueB = builder(rogueName, rogueName, rogue.getPublic())
        .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
        .addExtension(Extension.subjectAlternativeName, false,
            new GeneralNames(new GeneralName(GeneralName.dNSName, "rogue.invalid")));

    return new Pem(
        certPem(sign(caB, ca)), certPem(sign(serverB, ca)), keyPem(server),
        certPem(sign(clientB, ca)), keyPem(client),
        certPem(sign(rogueB, rogue)), keyPem(rogue));
  }

  private static X509v3CertificateBuilder leaf(X500Name issuer, X500Name subject, PublicKey key, KeyPair ca,
                                               JcaX509ExtensionUtils ext, KeyPurposeId purpose) throws Exception {
    return builder(issuer, subject, key)
        .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
        .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment))
        .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose))
        .addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(ca.getPublic()))
        .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(key));
  }

  private static X509v3CertificateBuilder builder(X500Name issuer, X500Name subject, PublicKey key) {
    Instant from = Instant.now().minus(Duration.ofDays(1));
    BigInteger serial = new BigInteger(63, new SecureRandom()).add(BigInteger.ONE);
    return new JcaX509v3CertificateBuilder(issuer, serial, Date.from(from), Date.from(from.plus(Duration.ofDays(30))),
        subject, key);
  }

  private static byte[] sign(X509v3CertificateBuilder builder, KeyPair issuer) throws Exception {
    return builder.build(new JcaContentSignerBuilder("SHA256withRSA").build(issuer.getPrivate())).getEncoded();
  }

  private static String certPem(byte[] der) {
    return pem("CERTIFICATE", der);
  }

  // Java encodes private keys as PKCS#8, which is exactly the "PRIVATE KEY" PEM block.
  private static String keyPem(KeyPair pair) {
    return pem("PRIVATE KEY", pair.getPrivate().getEncoded());
  }

  private static String pem(String label, byte[] der) {
    String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
    return "-----BEGIN " + label + "-----\n" + body + "\n-----END " + label + "-----\n";
  }
}
