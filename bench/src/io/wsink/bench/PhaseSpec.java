package io.wsink.bench;

/**
 * One measured phase: the generator sends {@code size}-byte messages at {@code rate} msg/s (0: as fast as
 * back-pressure allows) and the receiver measures {@code measureMs} after {@code warmupMs}.
 */
record PhaseSpec(String kind, int size, long rate, long warmupMs, long measureMs) {

  static final String THROUGHPUT = "throughput";
  static final String LATENCY = "latency";

  static PhaseSpec throughput(int size, Plan plan) {
    return new PhaseSpec(THROUGHPUT, size, 0, plan.warmupMs(), plan.measureMs());
  }

  static PhaseSpec latency(int size, long rate, Plan plan) {
    return new PhaseSpec(LATENCY, size, rate, plan.warmupMs(), plan.latencyMeasureMs());
  }
}
