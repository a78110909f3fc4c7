package io.wsink.bench;

import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

import static io.wsink.bench.Table.RAW;
import static io.wsink.bench.Table.WSINK;

/**
 * Start-up: {@code java -jar target/wsink.jar} with an empty --conf dir, a temp --data dir and free ports through
 * WSINK__ environment variables, from process start to the first 200 on /ping, and its RSS one second later; the
 * baseline is a minimal Vert.x HTTP service started the same way.
 */
final class StartupBench {

  static final String CELL = "start";
  private static final long READY_TIMEOUT_MS = 20_000;

  private final Plan plan;
  private final Launcher launcher;
  private final Results results;

  StartupBench(Plan plan, Launcher launcher, Results results) {
    this.plan = plan;
    this.launcher = launcher;
    this.results = results;
  }

  void run() throws InterruptedException {
    for (int run = 0; run < plan.runs(); run++) {
      for (String impl : run % 2 == 0 ? new String[] {RAW, WSINK} : new String[] {WSINK, RAW}) {
        try {
          results.add(CELL, impl, run, impl.equals(RAW) ? measureRaw(run) : measureWsink(run));
        } catch (IOException | RuntimeException e) {
          results.failed(CELL, impl + " run " + run + ": " + e.getMessage());
        }
      }
    }
  }

  private JsonObject measureRaw(int run) throws IOException, InterruptedException {
    int port = WsinkMain.freePort();
    long t0 = System.nanoTime();
    Child child = launcher.rawPing("start-" + run, port);
    try {
      return readyAndRss(child, port, t0);
    } finally {
      child.terminate();
    }
  }

  private JsonObject measureWsink(int run) throws IOException, InterruptedException {
    Path work = Files.createTempDirectory("wsink-start-");
    try {
      Path conf = Files.createDirectories(work.resolve("conf"));
      int restPort = WsinkMain.freePort();
      int dataPort = WsinkMain.freePort();
      long t0 = System.nanoTime();
      Child child = launcher.fatJar("start-" + run, conf, work.resolve("data"), restPort, dataPort);
      try {
        return readyAndRss(child, restPort, t0);
      } finally {
        child.terminate();
      }
    } finally {
      try (Stream<Path> paths = Files.walk(work)) {
        paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private static JsonObject readyAndRss(Child child, int port, long t0) throws IOException, InterruptedException {
    double ms = Ping.firstOk(port, t0, READY_TIMEOUT_MS, child.process());
    if (Double.isNaN(ms)) {
      throw new IOException(child.name() + ": no 200 on /ping within " + READY_TIMEOUT_MS + " ms");
    }
    Thread.sleep(1000);
    return new JsonObject().put("readyMs", ms).put("rssIdleMiB", child.rssKiB() / 1024.0);
  }
}
