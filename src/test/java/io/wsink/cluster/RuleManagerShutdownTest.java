package io.wsink.cluster;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.wsink.config.SinkDefaults;
import io.wsink.rule.RuleManager;
import io.wsink.rule.RuleOwnership;
import io.wsink.rule.RuleRegistry;
import io.wsink.rule.StoreRuleRegistry;
import io.wsink.server.EventBusEndpointRegistry;
import io.wsink.store.SqliteStore;
import io.wsink.store.Store;
import io.wsink.testkit.Rules;
import io.wsink.testkit.TestNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * The rule manager of a node that stops (§7 shutdown) with operations still under way: a drop already queued for a rule,
 * or a cluster check that was running when the node began to stop and reconciles afterwards.
 */
class RuleManagerShutdownTest {

  private static final long WAIT_S = 30;

  @TempDir
  Path dir;

  private Vertx vertx;
  private Context context;
  private Store store;

  @BeforeEach
  void setUp() throws Exception {
    vertx = Vertx.vertx();
    context = vertx.getOrCreateContext();
    store = await(SqliteStore.open(vertx, dir.toString()));
  }

  @AfterEach
  void tearDown() throws Exception {
    await(store.close());
    await(vertx.close());
  }

  @Test
  void aShutdownWhileARuleIsBeingDroppedStopsCleanly() throws Exception {
    RuleManager manager = manager(RuleOwnership.SINGLE_NODE);
    await(on(() -> manager.create(Rules.rule("gone", Rules.clientProps(TestNode.freePort())))));
    // the drop is under way when the node stops: the shutdown's turn for the rule comes after it
    Future<Void> stopped = await(on(() -> {
      manager.delete("gone");
      return Future.succeededFuture(manager.shutdown());
    }));
    await(stopped);
    assertEquals(Set.of(), vertx.deploymentIDs(), "nothing left deployed");
  }

  @Test
  void aReconcileAfterShutdownClaimsNothing() throws Exception {
    OneOwner ownership = new OneOwner();
    RuleManager manager = manager(ownership);
    await(on(() -> manager.create(Rules.rule("kept", Rules.clientProps(TestNode.freePort())))));
    assertEquals("me", ownership.owner, "the node runs its rule");
    await(on(manager::shutdown));
    assertNull(ownership.owner, "released at shutdown");
    // a cluster check that began before the node stopped reconciles every rule afterwards
    await(on(manager::reconcileAll));
    await(on(() -> manager.reconcile("kept", true)));
    assertNull(ownership.owner, "a stopped node must not take its rule back: no other node would run it");
    assertEquals(Set.of(), vertx.deploymentIDs(), "nothing deployed after the shutdown");
  }

  private RuleManager manager(RuleOwnership ownership) throws Exception {
    RuleRegistry registry = await(StoreRuleRegistry.load(store));
    SinkDefaults defaults = new SinkDefaults(false, 1024, 1024000, 256, 10, false, "");
    return new RuleManager(vertx, registry, ownership, new EventBusEndpointRegistry(vertx), defaults, store, Map.of(),
      null);
  }

  /** Runs {@code operation} on the manager's one context. */
  private <T> Future<T> on(Supplier<Future<T>> operation) {
    Promise<T> result = Promise.promise();
    context.runOnContext(v -> operation.get().onComplete(result));
    return result.future();
  }

  /** The owners map of a cluster of one other, absent node: whoever claims a free rule gets it. */
  private static final class OneOwner extends RuleOwnership.SingleNode {
    String owner;

    @Override
    public Future<Boolean> claim(String ruleId) {
      if (owner == null) {
        owner = "me";
      }
      return Future.succeededFuture("me".equals(owner));
    }

    @Override
    public Future<Void> release(String ruleId) {
      if ("me".equals(owner)) {
        owner = null;
      }
      return Future.succeededFuture();
    }

    @Override
    public String nodeId() {
      return "me";
    }
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.await(WAIT_S, TimeUnit.SECONDS);
  }
}
