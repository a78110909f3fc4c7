package io.wsink.bench;

/** The time the whole run may take: a section that would not fit is skipped (and the table says so). */
final class Budget {

  private final long deadline;

  Budget(long millis) {
    this.deadline = System.currentTimeMillis() + millis;
  }

  long leftMs() {
    return deadline - System.currentTimeMillis();
  }

  boolean allows(long millis) {
    return leftMs() >= millis;
  }
}
