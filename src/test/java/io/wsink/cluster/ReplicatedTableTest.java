package io.wsink.cluster;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * A {@link ReplicatedTable} on a Vert.x of its own (its async maps are then local, which is all the table's own logic
 * needs): what a node's store ends up holding when its periodic re-read meets changes made on the node meanwhile.
 */
class ReplicatedTableTest {

  private static final long WAIT_S = 30;

  private final Vertx vertx = Vertx.vertx();
  private final Context context = vertx.getOrCreateContext();

  @AfterEach
  void tearDown() throws Exception {
    vertx.close().await(WAIT_S, TimeUnit.SECONDS);
  }

  @Test
  void aResyncDoesNotBringBackWhatWasDeletedWhileItRead() throws Exception {
    GatedStore store = new GatedStore();
    JsonObject v1 = new JsonObject().put("v", 1);
    JsonObject v2 = new JsonObject().put("v", 2);
    ReplicatedTable table = await(on(() -> ReplicatedTable.join(vertx, "t-" + java.util.UUID.randomUUID(), "me",
      Map.of("k", v1), store)));
    store.putAll(Map.of("k", v1));

    // an update whose write to the store is slow (a busy disk) …
    Promise<Void> gate = Promise.promise();
    store.gate = gate;
    Future<Void> updated = await(on(() -> Future.succeededFuture(table.put("k", v2))));
    store.saving.get(WAIT_S, TimeUnit.SECONDS);
    // … then a drop, queued behind it, and the periodic re-read, which reads the cluster's table meanwhile
    Future<Boolean> removed = await(on(() -> Future.succeededFuture(table.remove("k"))));
    Future<Void> resynced = await(on(() -> Future.succeededFuture(table.resyncAll())));
    await(on(() -> {
      gate.complete();
      return Future.succeededFuture();
    }));
    await(updated);
    assertEquals(true, await(removed));
    await(resynced);

    assertEquals(null, await(on(() -> table.get("k"))), "dropped cluster-wide");
    assertFalse(store.rows.containsKey("k"), "the node's store must not keep what was dropped: " + store.rows);
  }

  /** A node's store whose next save waits for {@link #gate}, when set. */
  private static final class GatedStore implements ReplicatedTable.Mirror {
    final Map<String, JsonObject> rows = new HashMap<>();
    Promise<Void> gate;
    /** Completes when a save waits for the gate. */
    final java.util.concurrent.CompletableFuture<Void> saving = new java.util.concurrent.CompletableFuture<>();

    void putAll(Map<String, JsonObject> entries) {
      rows.putAll(entries);
    }

    @Override
    public Future<Void> save(String key, JsonObject value) {
      Promise<Void> wait = gate;
      gate = null;
      if (wait == null) {
        rows.put(key, value);
        return Future.succeededFuture();
      }
      saving.complete(null);
      return wait.future().onSuccess(v -> rows.put(key, value));
    }

    @Override
    public Future<Void> delete(String key) {
      rows.remove(key);
      return Future.succeededFuture();
    }
  }

  /** Runs {@code operation} on the table's one context. */
  private <T> Future<T> on(Supplier<Future<T>> operation) {
    Promise<T> result = Promise.promise();
    context.runOnContext(v -> operation.get().onComplete(result));
    return result.future();
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.await(WAIT_S, TimeUnit.SECONDS);
  }
}
