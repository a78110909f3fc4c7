package io.wsink.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** {@code GET http://127.0.0.1:<port>/ping} from the orchestrator, with bounded waits. */
final class Ping {

  private static final HttpClient CLIENT = HttpClient.newBuilder()
    .version(HttpClient.Version.HTTP_1_1)
    .connectTimeout(Duration.ofMillis(500))
    .build();

  record Answer(int status, double millis) {
    boolean ok() {
      return status == 200;
    }
  }

  private Ping() {
  }

  /** One request; status -1 when it failed or timed out. */
  static Answer once(int port, long timeoutMs) {
    long t0 = System.nanoTime();
    try {
      HttpResponse<Void> response = CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/ping"))
        .timeout(Duration.ofMillis(timeoutMs)).GET().build(), HttpResponse.BodyHandlers.discarding());
      return new Answer(response.statusCode(), (System.nanoTime() - t0) / 1e6);
    } catch (java.io.IOException e) {
      return new Answer(-1, (System.nanoTime() - t0) / 1e6);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Answer(-1, (System.nanoTime() - t0) / 1e6);
    }
  }

  /**
   * Polls every 5 ms until the first 200.
   *
   * @return milliseconds from {@code startNanos} to that answer, or NaN when none came within {@code timeoutMs}
   */
  static double firstOk(int port, long startNanos, long timeoutMs, Process process) throws InterruptedException {
    long deadline = startNanos + timeoutMs * 1_000_000L;
    while (System.nanoTime() < deadline && process.isAlive()) {
      if (once(port, 500).ok()) {
        return (System.nanoTime() - startNanos) / 1e6;
      }
      Thread.sleep(5);
    }
    return Double.NaN;
  }
}
