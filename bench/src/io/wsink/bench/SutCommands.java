package io.wsink.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.lang.management.ManagementFactory;
import java.util.concurrent.TimeUnit;

/**
 * The commands every server under test (raw or wsink) answers on stdin:
 * <ul>
 *   <li>{@code go <size> <ratePerSecond>} (0 = as fast as back-pressure allows) → {@code GOING}</li>
 *   <li>{@code stop} → {@code STOPPED {json}}: the generator stopped, with its figures ({@code nextSeq} first of all)</li>
 *   <li>{@code mem} → {@code MEM {"heapUsed":bytes,...}} after two full GCs</li>
 *   <li>{@code exit}, or end of stdin → Vert.x closed (bounded), process exits</li>
 * </ul>
 */
final class SutCommands {

  /** The generator of a server under test. Both methods may be called from any thread. */
  interface Producer {
    Future<Void> begin(int size, long ratePerSecond);

    Future<JsonObject> end();
  }

  private SutCommands() {
  }

  static void serve(Vertx vertx, Producer producer) {
    Proto.serve((command, args) -> {
      switch (command) {
        case "go" -> {
          int size = Integer.parseInt(args[0]);
          BenchMessage.checkSize(size);
          producer.begin(size, Long.parseLong(args[1])).await(10, TimeUnit.SECONDS);
          Proto.emit("GOING", null);
        }
        case "stop" -> Proto.emit("STOPPED", producer.end().await(20, TimeUnit.SECONDS));
        case "mem" -> Proto.emit("MEM", heapAfterGc());
        case "exit" -> {
          return false;
        }
        default -> Proto.emit("ERROR", "unknown command " + command);
      }
      return true;
    });
    try {
      vertx.close().await(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      System.err.println("bench: Vert.x did not close in 10 s: " + e);
    }
  }

  /** Heap in use after two full collections (on this command thread, never on an event loop). */
  static JsonObject heapAfterGc() throws InterruptedException {
    System.gc();
    Thread.sleep(200);
    System.gc();
    Thread.sleep(100);
    var heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
    return new JsonObject().put("heapUsed", heap.getUsed()).put("heapCommitted", heap.getCommitted());
  }
}
