package io.wsink.tls;

import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.wsink.config.DataServerSettings;

/**
 * TLS for the shared data server (SPEC §4.2, §8, {@code httpServerTls}): a PEM certificate and key, and for mutual TLS
 * the PEM bundle of the CAs whose client certificates are accepted.
 */
public final class ServerTls {

  private ServerTls() {
  }

  /** Turns on TLS with the given PEM certificate (chain) and unencrypted key files; clients show no certificate. */
  public static void applyTo(HttpServerOptions options, String certfile, String keyfile) {
    applyTo(options, new DataServerSettings.TlsFiles(certfile, keyfile));
  }

  /**
   * Turns on TLS with the given PEM certificate (chain) and unencrypted key files; with a {@code cafile}, asks clients
   * for a certificate signed by one of its CAs ({@code clientAuth} says whether one is required).
   */
  public static void applyTo(HttpServerOptions options, DataServerSettings.TlsFiles tls) {
    options.setSsl(true)
        .setKeyCertOptions(new PemKeyCertOptions().setCertPath(tls.certfile()).setKeyPath(tls.keyfile()));
    if (tls.cafile() != null) {
      options.setTrustOptions(new PemTrustOptions().addCertPath(tls.cafile()))
          .setClientAuth(tls.clientAuth());
    }
  }
}
