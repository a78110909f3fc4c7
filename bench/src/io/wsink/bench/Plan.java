package io.wsink.bench;

import java.util.List;

/**
 * What one run of the bench measures and for how long. The full plan fits the 10-minute budget on a 2-core machine;
 * {@code --quick} is one run of fewer cells, for development.
 *
 * @param runs             repetitions of every cell (the table shows their median, min–max, and paired ratios)
 * @param fanOutClients    server-mode client counts N
 * @param sizes            message sizes in bytes for the max-throughput cells
 * @param nodeCheckClients the N at which the second (npm ws) client repeats the 100 B throughput cell
 * @param latencySize      message size of the fixed-rate latency cells
 * @param warmupMs         unmeasured start of every phase (processes are primed once before, so JIT is warm)
 * @param measureMs        measured window of a throughput phase
 * @param latencyMeasureMs measured window of a fixed-rate latency phase
 * @param idleConnections  connections of the idle-memory cell
 * @param fixedWindow      outstanding requests the wsink generator allows (its back-pressure), or 0 to size the
 *                         window by the client count (see {@link #window(int)})
 */
record Plan(boolean quick, int runs, List<Integer> fanOutClients, List<Integer> sizes, List<Integer> nodeCheckClients,
            int latencySize, long warmupMs, long measureMs, long latencyMeasureMs, int idleConnections, int fixedWindow) {

  /** Deliveries (messages × clients) the wsink generator keeps unacknowledged when the window is sized by N. */
  static final int DELIVERIES_IN_FLIGHT = 4096;

  static Plan from(Args args) {
    boolean quick = args.has("quick");
    int window = args.getInt("window", 0);
    Plan plan = quick
      ? new Plan(true, 1, List.of(1, 100), List.of(100), List.of(1), 100, 500, 2000, 2000, 10_000, window)
      : new Plan(false, 3, List.of(1, 10, 100, 1000), List.of(100, 1024), List.of(1, 100), 100, 500, 2000, 2500,
        10_000, window);
    if (args.has("runs")) {
      plan = plan.withRuns(args.getInt("runs", plan.runs));
    }
    if (args.has("clients")) { // e.g. --clients 1,100: only these N (for working on one cell)
      List<Integer> clients = java.util.Arrays.stream(args.get("clients", "").split(",")).map(Integer::valueOf).toList();
      plan = new Plan(plan.quick, plan.runs, clients, plan.sizes,
        plan.nodeCheckClients.stream().filter(clients::contains).toList(), plan.latencySize, plan.warmupMs,
        plan.measureMs, plan.latencyMeasureMs, plan.idleConnections, plan.fixedWindow);
    }
    return plan;
  }

  Plan withRuns(int n) {
    return new Plan(quick, n, fanOutClients, sizes, nodeCheckClients, latencySize, warmupMs, measureMs,
      latencyMeasureMs, idleConnections, fixedWindow);
  }

  /**
   * The wsink generator's window for {@code clients} clients. A server-mode acknowledgement comes once the frame was
   * handed to every client, so each outstanding message stands for N deliveries: a window of 256 at N = 1000 would
   * queue 256 000 deliveries in front of the data server (seconds of latency, and a long drain after each phase)
   * without adding throughput. Sized to about {@value #DELIVERIES_IN_FLIGHT} deliveries, 8..256 messages.
   */
  int window(int clients) {
    return fixedWindow > 0 ? fixedWindow : windowFor(clients);
  }

  /** The window sized by the client count: about {@link #DELIVERIES_IN_FLIGHT} deliveries, 8..256 requests. */
  static int windowFor(int clients) {
    return Math.max(8, Math.min(256, DELIVERIES_IN_FLIGHT / Math.max(1, clients)));
  }

  /** The fixed publish rate of the latency cell for N clients: min(1000, 100000 / N) msg/s. */
  static long latencyRate(int clients) {
    return Math.min(1000, 100_000 / clients);
  }
}
