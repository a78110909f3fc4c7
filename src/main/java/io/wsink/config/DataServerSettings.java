package io.wsink.config;

/**
 * The shared WebSocket data server ({@code conf/sources/websocket.yaml}, key {@code source}).
 *
 * @param tls null when the server speaks plain ws://
 */
public record DataServerSettings(String httpServerIp, int httpServerPort, TlsFiles tls) {

  /** PEM certificate chain and private key of the data server. */
  public record TlsFiles(String certfile, String keyfile) {
  }
}
