package io.wsink.server;

/**
 * The {@code maxConnections} budget of the data server: one slot per open WebSocket connection, taken before the
 * upgrade is accepted and given back exactly once when that connection closes (or the upgrade fails). Confined to the
 * server verticle's event loop.
 */
final class ConnectionSlots {

  private final int limit;
  private int taken;

  ConnectionSlots(int limit) {
    this.limit = limit;
  }

  /** A slot, or null when all are taken. */
  Slot tryAcquire() {
    if (taken >= limit) {
      return null;
    }
    taken++;
    return new Slot();
  }

  /** Open connections (and upgrades being accepted). */
  int taken() {
    return taken;
  }

  int limit() {
    return limit;
  }

  /** One connection's place; {@link #release()} may be called any number of times, it counts once. */
  final class Slot {
    private boolean released;

    void release() {
      if (!released) {
        released = true;
        taken--;
      }
    }
  }
}
