package io.wsink.config;

import io.vertx.core.http.ClientAuth;
import io.vertx.core.json.JsonObject;

import java.util.List;

/**
 * The shared WebSocket data server ({@code conf/sources/websocket.yaml}, key {@code source}): eKuiper's three keys and
 * wsink's access control (§8).
 *
 * @param tls            null when the server speaks plain ws://
 * @param allowedOrigins origins ({@code scheme://host[:port]}, lower case) a browser may upgrade from; empty: any
 * @param tokens         bearer tokens a client must present (one of them); empty: none needed. Secrets.
 * @param maxConnections most WebSocket connections open at once
 * @param maxFrameSize   most payload bytes in one frame a client sends
 * @param maxMessageSize most payload bytes in one (possibly fragmented) message a client sends
 */
public record DataServerSettings(String httpServerIp, int httpServerPort, TlsFiles tls, List<String> allowedOrigins,
                                 List<String> tokens, int maxConnections, int maxFrameSize, int maxMessageSize) {

  public static final String DEFAULT_IP = "0.0.0.0";
  public static final int DEFAULT_PORT = 10081;
  public static final int DEFAULT_MAX_CONNECTIONS = 10_000;
  /** Vert.x's own defaults, which §8 adopts. */
  public static final int DEFAULT_MAX_FRAME_SIZE = 65_536;
  public static final int DEFAULT_MAX_MESSAGE_SIZE = 262_144;

  public DataServerSettings {
    allowedOrigins = List.copyOf(allowedOrigins);
    tokens = List.copyOf(tokens);
  }

  /** A data server open to everybody, with the default limits. */
  public DataServerSettings(String httpServerIp, int httpServerPort, TlsFiles tls) {
    this(httpServerIp, httpServerPort, tls, List.of(), List.of(), DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_FRAME_SIZE,
        DEFAULT_MAX_MESSAGE_SIZE);
  }

  /**
   * The {@code source} block of a standalone sink's config (§9), checked as strictly as conf/sources/websocket.yaml;
   * keys it leaves out take their defaults. TLS files are not read here: the listen reports a bad one.
   *
   * @throws ConfigException naming the key and what is wrong
   */
  public static DataServerSettings fromJson(JsonObject source) {
    return ConfigLoader.standaloneDataServer(source);
  }

  /** Tokens are secrets: never in a log line, not even through toString. */
  @Override
  public String toString() {
    return "DataServerSettings[" + httpServerIp + ":" + httpServerPort + ", tls=" + tls + ", allowedOrigins="
        + allowedOrigins + ", tokens=" + tokens.size() + " (masked), maxConnections=" + maxConnections
        + ", maxFrameSize=" + maxFrameSize + ", maxMessageSize=" + maxMessageSize + "]";
  }

  /**
   * PEM files of the data server, and who may connect when clients must show a certificate (mutual TLS).
   *
   * @param cafile     PEM bundle of the CAs that sign client certificates; null when clients are not asked for one
   * @param clientAuth {@link ClientAuth#REQUIRED} or {@link ClientAuth#REQUEST} exactly when {@code cafile} is set
   */
  public record TlsFiles(String certfile, String keyfile, String cafile, ClientAuth clientAuth) {

    /** Server TLS only: clients are not asked for a certificate. */
    public TlsFiles(String certfile, String keyfile) {
      this(certfile, keyfile, null, ClientAuth.NONE);
    }
  }
}
