package io.wsink.tls;

import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;

/** TLS for the shared data server (SPEC §4.2, {@code httpServerTls}): a PEM certificate and key. */
public final class ServerTls {

  private ServerTls() {
  }

  /** Turns on TLS with the given PEM certificate (chain) and unencrypted key files. */
  public static void applyTo(HttpServerOptions options, String certfile, String keyfile) {
    options.setSsl(true)
        .setKeyCertOptions(new PemKeyCertOptions().setCertPath(certfile).setKeyPath(keyfile));
  }
}
