package io.wsink.bench;

import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.util.List;
import java.util.Locale;

import static io.wsink.bench.SoakTable.count;
import static io.wsink.bench.SoakTable.mib;

/**
 * A burst of connection attempts (issue 6): one load client process tries {@value #ATTEMPTS} WebSocket upgrades,
 * {@value #CONCURRENCY} at a time, against a node whose data server takes {@value #MAX_CONNECTIONS}. The upgrades past
 * the limit must get 503, the node must answer /ping throughout, and once the load client is gone the heap after GC
 * must be back near what the idle node had.
 */
final class ConnectionBurstSoak {

  private static final String AREA = "connection burst";
  static final int ATTEMPTS = 20_000;
  private static final int MAX_CONNECTIONS = 5_000;
  private static final int CONCURRENCY = 1_000;
  private static final long PING_EVERY_MS = 100;
  private static final long PING_TIMEOUT_MS = 2_000;
  /** What the heap after GC may keep once every connection is gone (caches, JIT'd code, pooled buffers' headers). */
  private static final long HEAP_KEPT = 16L << 20;
  /** 5 000 handshakes and 15 000 refusals, both sides on one busy 2-core machine: 25-50 s seen, and the reads. */
  static final long COST_MS = 100_000;

  private final Launcher launcher;
  private final SoakTable table;

  ConnectionBurstSoak(Launcher launcher, SoakTable table) {
    this.launcher = launcher;
    this.table = table;
  }

  void run() throws InterruptedException {
    Child sut = null;
    Child load = null;
    try {
      sut = launcher.wsinkServer("burst", Plan.windowFor(1), new JsonObject(),
        new JsonObject().put("maxConnections", MAX_CONNECTIONS));
      JsonObject ready = sut.expect("READY", 60_000);
      String url = "ws://127.0.0.1:" + ready.getInteger("port") + ready.getString("path");
      int rest = ready.getInteger("pingPort");
      long heapIdle = SlowClientsSoak.heapAfterGc(sut);
      long rssIdle = sut.rssKiB();

      PingSampler pings = PingSampler.start(rest);
      long t0 = System.currentTimeMillis();
      load = launcher.javaLoad("burst", url, ATTEMPTS, "--concurrency", Integer.toString(CONCURRENCY));
      JsonObject connected = load.expect("CONNECTED", 180_000);
      long burstMs = System.currentTimeMillis() - t0;
      PingSampler.Result during = pings.stop();
      int open = SoakRest.endpoint(rest, WsinkMain.PATH).getInteger("clients");
      long heapOpen = SlowClientsSoak.heapAfterGc(sut);
      long rssOpen = sut.rssKiB();

      Child.closeAll(List.of(load));
      load = null;
      boolean allClosed = SoakRest.awaitClients(rest, WsinkMain.PATH, 0, 30_000);
      long heapAfter = SlowClientsSoak.heapAfterGc(sut);
      long rssAfter = sut.rssKiB();
      boolean pingAfter = Ping.once(rest, PING_TIMEOUT_MS).ok();

      int opened = connected.getInteger("opened", 0);
      int failed = connected.getInteger("failed", 0);
      int refused503 = connected.getJsonObject("refused", new JsonObject()).getInteger("503", 0);
      int other = ATTEMPTS - opened - refused503;
      table.row(AREA, count(ATTEMPTS) + " upgrades, " + CONCURRENCY + " at a time, maxConnections "
          + count(MAX_CONNECTIONS) + ": accepted · refused with 503 · anything else (" + burstMs / 1000 + " s)",
        count(opened) + " · " + count(refused503) + " · " + count(other) + " (failed " + count(failed) + ", open "
          + count(open) + ")",
        count(MAX_CONNECTIONS) + " · " + count(ATTEMPTS - MAX_CONNECTIONS) + " · 0",
        opened == MAX_CONNECTIONS && refused503 == ATTEMPTS - MAX_CONNECTIONS && open == MAX_CONNECTIONS);
      table.row(AREA, "/ping during the burst, every " + PING_EVERY_MS + " ms (timeout " + PING_TIMEOUT_MS
          + " ms) · after",
        during.ok() + "/" + during.sent() + " answered 200, slowest " + Table.decimalMs(during.worstMs()) + " · "
          + (pingAfter ? "200" : "no answer"),
        "all 200", during.sent() > 0 && during.ok() == during.sent() && pingAfter);
      table.row(AREA, "heap after GC: idle · " + count(MAX_CONNECTIONS) + " open · after they closed",
        mib(heapIdle) + " · " + mib(heapOpen) + " · " + mib(heapAfter) + (allClosed ? "" : " (not all closed in 30 s)"),
        "after ≤ idle + " + mib(HEAP_KEPT), allClosed && heapAfter <= heapIdle + HEAP_KEPT);
      table.info(AREA, "RSS: idle · " + count(MAX_CONNECTIONS) + " open · after they closed",
        String.format(Locale.ROOT, "%s · %s · %s", mib(rssIdle * 1024), mib(rssOpen * 1024), mib(rssAfter * 1024)));
    } catch (Child.BenchException | IOException | RuntimeException e) {
      table.failed(AREA, String.valueOf(e.getMessage()));
    } finally {
      Child.closeAll(java.util.Arrays.asList(load, sut));
    }
  }

  /** GET /ping every {@value #PING_EVERY_MS} ms on a thread of its own, until stopped. */
  private static final class PingSampler {

    record Result(int sent, int ok, double worstMs) {
    }

    private final int port;
    private final Thread thread;
    private volatile boolean running = true;
    private int sent;
    private int ok;
    private double worstMs;

    private PingSampler(int port) {
      this.port = port;
      this.thread = new Thread(this::loop, "ping-sampler");
      thread.setDaemon(true);
    }

    static PingSampler start(int port) {
      PingSampler sampler = new PingSampler(port);
      sampler.thread.start();
      return sampler;
    }

    private void loop() {
      while (running) {
        Ping.Answer answer = Ping.once(port, PING_TIMEOUT_MS);
        synchronized (this) {
          sent++;
          ok += answer.ok() ? 1 : 0;
          worstMs = Math.max(worstMs, answer.millis());
        }
        try {
          Thread.sleep(PING_EVERY_MS);
        } catch (InterruptedException e) {
          return;
        }
      }
    }

    Result stop() throws InterruptedException {
      running = false;
      thread.join(PING_TIMEOUT_MS + 1_000);
      synchronized (this) {
        return new Result(sent, ok, worstMs);
      }
    }
  }
}
