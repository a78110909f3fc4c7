package io.wsink.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** The REST reads of the soak (rule status, endpoint listing) from the orchestrator, with bounded waits. */
final class SoakRest {

  private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
    .connectTimeout(Duration.ofSeconds(2)).build();

  private SoakRest() {
  }

  static String get(int port, String path) throws IOException, InterruptedException {
    HttpResponse<String> response = CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
      .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IOException("GET " + path + " answered " + response.statusCode() + ": " + response.body());
    }
    return response.body();
  }

  /** {@code GET /rules/{id}/status}. */
  static JsonObject ruleStatus(int port, String ruleId) throws IOException, InterruptedException {
    return new JsonObject(get(port, "/rules/" + ruleId + "/status"));
  }

  /** The entry of endpoint {@code path} in {@code GET /connection/websocket} (clients, maxQueuedBytes, …). */
  static JsonObject endpoint(int port, String path) throws IOException, InterruptedException {
    for (Object e : new JsonArray(get(port, "/connection/websocket"))) {
      if (e instanceof JsonObject entry && path.equals(entry.getString("endpoint"))) {
        return entry;
      }
    }
    throw new IOException("endpoint " + path + " is not listed");
  }

  /** Polls the endpoint's client count until it is {@code clients}; false when it is not within {@code timeoutMs}. */
  static boolean awaitClients(int port, String path, int clients, long timeoutMs)
    throws IOException, InterruptedException {
    long deadline = System.currentTimeMillis() + timeoutMs;
    while (System.currentTimeMillis() < deadline) {
      if (endpoint(port, path).getInteger("clients") == clients) {
        return true;
      }
      Thread.sleep(100);
    }
    return false;
  }
}
