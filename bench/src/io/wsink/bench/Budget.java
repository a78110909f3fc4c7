package io.wsink.bench;

/** The time the whole run may take: work that would not fit is skipped (and the table says so). */
final class Budget {

  private final long deadline;

  private Budget(long deadline) {
    this.deadline = deadline;
  }

  static Budget ofMillis(long millis) {
    return new Budget(System.currentTimeMillis() + millis);
  }

  /** A budget for one section that leaves {@code reserveMs} for the sections after it. */
  Budget leaving(long reserveMs) {
    return new Budget(deadline - reserveMs);
  }

  long leftMs() {
    return deadline - System.currentTimeMillis();
  }

  boolean allows(long millis) {
    return leftMs() >= millis;
  }
}
