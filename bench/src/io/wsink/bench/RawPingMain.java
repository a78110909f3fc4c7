package io.wsink.bench;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerOptions;

/**
 * The start-up baseline: the smallest Vert.x 5 HTTP service that answers {@code GET /ping} with 200 on
 * 127.0.0.1:{@code --port}. Runs until it is terminated (the orchestrator measures how soon the first 200 comes).
 */
public final class RawPingMain {

  private RawPingMain() {
  }

  public static void main(String[] argv) {
    int port = Integer.parseInt(new Args(argv).require("port"));
    Vertx vertx = Vertx.vertx();
    vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(port))
      .requestHandler(req -> req.response().setStatusCode(req.path().equals("/ping") ? 200 : 404).end())
      .listen()
      .onFailure(err -> {
        System.err.println("bench: cannot listen on " + port + ": " + err.getMessage());
        System.exit(1);
      });
  }
}
