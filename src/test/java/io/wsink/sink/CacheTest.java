package io.wsink.sink;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.wsink.store.SqliteStore;
import io.wsink.store.Store;
import io.wsink.testkit.Poll;
import io.wsink.testkit.RecordingServer;
import io.wsink.testkit.TestNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static io.wsink.testkit.Rules.SINK0;
import static io.wsink.testkit.Rules.clientProps;
import static io.wsink.testkit.Rules.rule;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The cache of a client-mode action (§4.1, §5.2 {@code enableCache} and friends): what cannot be delivered while the
 * remote server is down is kept in memory, then on disk (the node's store), and resent in order once the connection is
 * back, with the resend indicator set. Each test runs its own node ({@link TestNode}) in its own directory, so that its
 * store can be opened and inspected once the node has stopped; the remote server is a {@link RecordingServer} that is
 * started late, or stopped and started again on the same port.
 */
@ExtendWith(VertxExtension.class)
@io.vertx.junit5.Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
class CacheTest {

  /** Polls of a rule status give up after as long as the awaits of a {@link RecordingServer}. */
  private static final int STATUS_ATTEMPTS = (int) (RecordingServer.AWAIT_MS / Poll.DELAY_MS);
  private static final String INDICATOR = "resent";

  @TempDir
  Path dir;
  private Vertx vertx;
  private final Map<TestNode, Path> nodes = new IdentityHashMap<>();
  private final List<RecordingServer> servers = new ArrayList<>();

  @BeforeEach
  void setUp(Vertx v) {
    vertx = v;
  }

  @AfterEach
  void cleanUp(VertxTestContext ctx) {
    List<Future<?>> closing = new ArrayList<>();
    servers.forEach(s -> closing.add(s.close()));
    nodes.keySet().stream().filter(n -> vertx.deploymentIDs().contains(n.deploymentId()))
      .forEach(n -> closing.add(n.stop()));
    Future.join(closing).onComplete(ar -> ctx.completeNow());
  }

  // ---------------------------------------------------------------------------------------------------------------
  // kept while down, resent once after the reconnect

  @Test
  void whatIsPublishedWhileDownIsKeptAndArrivesOnceInOrderMarkedAsResent(VertxTestContext ctx) {
    RecordingServer server = recorder("remote");
    int[] port = new int[1];
    TestNode[] node = new TestNode[1];
    node(new JsonObject())
      .compose(n -> {
        node[0] = n;
        return server.listen(0);
      })
      .compose(p -> {
        port[0] = p;
        return node[0].createRule(rule("c1", cacheProps(p, 10, 5, 100)));
      })
      .compose(v -> awaitStatus(node[0], "c1", "connected", s -> s.getInteger(SINK0 + "connection_status", -2) == 1))
      .compose(v -> {
        publish("c1", 0, 3); // these go straight out
        return server.awaitMessages(3);
      })
      .compose(v -> server.close())
      .compose(v -> awaitStatus(node[0], "c1", "the connection seen down",
        s -> s.getInteger(SINK0 + "connection_status", 1) != 1))
      .compose(v -> {
        publish("c1", 3, 43); // 40 rows, far more than bufferLength 5
        return awaitStatus(node[0], "c1", "all 40 waiting", s -> s.getLong(SINK0 + "records_in_total", 0L) == 43
          && s.getInteger(SINK0 + "buffer_length", -1) == 40);
      })
      .compose(status -> {
        ctx.verify(() -> {
          assertEquals(0, status.getLong(SINK0 + "records_dropped_total"), "nothing dropped: " + status.encode());
          assertEquals(3, status.getLong(SINK0 + "records_out_total"), status.encode());
        });
        return server.listen(port[0]);
      })
      .compose(p -> server.awaitMessages(43))
      .compose(v -> awaitStatus(node[0], "c1", "the cache empty", s -> s.getInteger(SINK0 + "buffer_length", -1) == 0))
      .compose(v -> {
        publish("c1", 43, 46); // after the resend: straight out again
        return server.awaitMessages(46);
      })
      .compose(messages -> {
        ctx.verify(() -> {
          List<JsonObject> expected = new ArrayList<>(rows(0, 3, false));
          expected.addAll(rows(3, 43, true));
          expected.addAll(rows(43, 46, false));
          assertEquals(expected, received(messages), "once each, in order, the cached ones marked");
          assertEquals(2, server.connections(), "one connection before the outage, one after");
        });
        return awaitStatus(node[0], "c1", "everything counted out",
          s -> s.getLong(SINK0 + "records_out_total", 0L) == 46);
      })
      .compose(status -> {
        ctx.verify(() -> {
          assertEquals(0, status.getLong(SINK0 + "records_dropped_total"), status.encode());
          assertEquals(0, status.getInteger(SINK0 + "buffer_length"), status.encode());
        });
        return cachePagesAfterStop(node[0], "c1");
      })
      .onComplete(ctx.succeeding(pages -> ctx.verify(() -> {
        assertEquals(List.of(), pages.get("c1"), "a page resent in full leaves the store");
        ctx.completeNow();
      })));
  }

  @Test
  void aFullDiskCacheDropsTheOldestPagesCountsThemAndKeepsTheNewest(VertxTestContext ctx) {
    RecordingServer server = recorder("remote");
    int port = TestNode.freePort();
    TestNode[] node = new TestNode[1];
    // memory keeps 5, the disk 10 (two pages of 5): 15 of the 40 can be kept, the oldest 25 go a page at a time
    node(new JsonObject())
      .compose(n -> {
        node[0] = n;
        return n.createRule(rule("full", cacheProps(port, 5, 5, 10)));
      })
      .compose(v -> {
        publish("full", 0, 40);
        return awaitStatus(node[0], "full", "the 40 taken", s -> s.getLong(SINK0 + "records_in_total", 0L) == 40
          && s.getInteger(SINK0 + "buffer_length", -1) == 15);
      })
      .compose(status -> {
        ctx.verify(() -> assertEquals(25, status.getLong(SINK0 + "records_dropped_total"),
          "the dropped pages are counted: " + status.encode()));
        return server.listen(port);
      })
      .compose(p -> server.awaitMessages(15))
      .compose(v -> awaitStatus(node[0], "full", "the cache empty", s -> s.getInteger(SINK0 + "buffer_length", -1) == 0))
      .compose(v -> {
        publish("full", 40, 41);
        return server.awaitMessages(16);
      })
      .compose(messages -> {
        ctx.verify(() -> {
          List<JsonObject> expected = new ArrayList<>(rows(25, 40, true));
          expected.addAll(rows(40, 41, false));
          assertEquals(expected, received(messages), "the newest 15, in order, without gaps, then the next row");
        });
        return node[0].status("full");
      })
      .onComplete(ctx.succeeding(status -> ctx.verify(() -> {
        assertEquals(25, status.getLong(SINK0 + "records_dropped_total"), status.encode());
        assertEquals(16, status.getLong(SINK0 + "records_out_total"), status.encode());
        ctx.completeNow();
      })));
  }

  @Test
  void withTheDefaultSizesAThousandsStrongCacheIsResentWhole(VertxTestContext ctx) {
    RecordingServer server = recorder("remote");
    int port = TestNode.freePort();
    int n = 2000; // memoryCacheThreshold 1024 and bufferPageSize 256 by default: 1024 in memory, 976 spill to disk
    TestNode[] node = new TestNode[1];
    node(new JsonObject())
      .compose(nd -> {
        node[0] = nd;
        return nd.createRule(rule("big", clientProps(port).put("sendSingle", true).put("bufferLength", 5)
          .put("enableCache", true).put("resendIndicatorField", INDICATOR)));
      })
      .compose(v -> {
        publish("big", 0, n);
        return awaitStatus(node[0], "big", "all waiting", s -> s.getInteger(SINK0 + "buffer_length", -1) == n);
      })
      .compose(v -> server.listen(port))
      .compose(p -> withStatus(node[0], "big", server.awaitMessages(n)))
      .compose(messages -> {
        ctx.verify(() -> assertEquals(rows(0, n, true), received(messages)));
        return awaitStatus(node[0], "big", "all out", s -> s.getInteger(SINK0 + "buffer_length", -1) == 0
          && s.getLong(SINK0 + "records_out_total", 0L) == n);
      })
      .onComplete(ctx.succeeding(status -> ctx.verify(() -> {
        assertEquals(0, status.getLong(SINK0 + "records_dropped_total"), status.encode());
        assertEquals(0, status.getLong(SINK0 + "exceptions_total"), status.encode());
        ctx.completeNow();
      })));
  }

  @Test
  void resendIsPacedByResendInterval(VertxTestContext ctx) {
    RecordingServer server = recorder("remote");
    int port = TestNode.freePort();
    int n = 15; // 5 on disk, 10 in memory
    long interval = 100;
    TestNode[] node = new TestNode[1];
    long[] firstAt = new long[1];
    node(new JsonObject())
      .compose(nd -> {
        node[0] = nd;
        return nd.createRule(rule("paced", cacheProps(port, 10, 5, 100).put("resendInterval", interval)));
      })
      .compose(v -> {
        publish("paced", 0, n);
        return awaitStatus(node[0], "paced", "all waiting", s -> s.getInteger(SINK0 + "buffer_length", -1) == n);
      })
      .compose(v -> server.listen(port))
      .compose(p -> server.awaitMessages(1))
      .compose(first -> {
        firstAt[0] = System.nanoTime();
        return server.awaitMessages(n);
      })
      .onComplete(ctx.succeeding(messages -> ctx.verify(() -> {
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - firstAt[0]);
        assertEquals(rows(0, n, true), received(messages));
        // a lower bound only: n-1 pauses of resendInterval between the first and the last, minus delivery jitter
        long atLeast = (n - 1) * interval - interval;
        assertTrue(tookMs >= atLeast, "the " + n + " cached rows were resent within " + tookMs + " ms; resendInterval "
          + interval + " ms makes that at least about " + (n - 1) * interval + " ms");
        ctx.completeNow();
      })));
  }

  // ---------------------------------------------------------------------------------------------------------------
  // rule stop and start, delete

  @Test
  void stoppingTheRuleDuringAPacedResendAndStartingItAgainSendsNothingTwice(VertxTestContext ctx) {
    RecordingServer server = recorder("remote");
    int port = TestNode.freePort();
    int n = 15; // pages 0 and 1 on disk, 5 in memory
    TestNode[] node = new TestNode[1];
    int[] beforeStop = new int[1];
    node(new JsonObject())
      .compose(nd -> {
        node[0] = nd;
        return nd.createRule(rule("midway", cacheProps(port, 5, 5, 100).put("resendInterval", 200)));
      })
      .compose(v -> {
        publish("midway", 0, n);
        return awaitStatus(node[0], "midway", "all waiting", s -> s.getInteger(SINK0 + "buffer_length", -1) == n);
      })
      .compose(v -> server.listen(port))
      .compose(p -> server.awaitMessages(2)) // the resend of page 0 is under way
      .compose(v -> node[0].post("/rules/midway/stop", null))
      .compose(r -> expect(r, 200, "Rule midway was stopped."))
      .compose(v -> {
        beforeStop[0] = server.messages().size();
        ctx.verify(() -> assertTrue(beforeStop[0] < 5, "the rule must stop while page 0 is being resent for this test"
          + " to show anything; resendInterval 200 ms should leave it 1 s for that, yet " + beforeStop[0]
          + " rows were resent by then: " + server.messages()));
        return node[0].post("/rules/midway/start", null);
      })
      .compose(r -> expect(r, 200, "Rule midway was started."))
      .compose(v -> server.awaitUntil("row " + (n - 1), s -> s.messages().stream()
        .anyMatch(m -> new JsonObject((String) m).getInteger("seq") == n - 1)))
      .compose(v -> awaitStatus(node[0], "midway", "the cache empty", s -> s.getInteger(SINK0 + "buffer_length", -1) == 0))
      .compose(v -> {
        publish("midway", n, n + 1);
        return server.awaitUntil("row " + n, s -> s.messages().stream()
          .anyMatch(m -> new JsonObject((String) m).getInteger("seq") == n));
      })
      .onComplete(ctx.succeeding(v -> ctx.verify(() -> {
        List<Integer> seqs = received(server.messages()).stream().map(r -> r.getInteger("seq")).toList();
        List<Integer> expected = new ArrayList<>();
        for (int i = 0; i <= n; i++) {
          expected.add(i);
        }
        assertEquals(expected, seqs, "a stop is no crash: what went out before it is not sent again after the start");
        ctx.completeNow();
      })));
  }

  @Test
  void withoutCleanCacheAtStopWhatWasCachedAtStopIsResentWhenTheRuleStartsAgain(VertxTestContext ctx) {
    RecordingServer server = recorder("remote");
    int port = TestNode.freePort();
    TestNode[] node = new TestNode[1];
    node(new JsonObject())
      .compose(n -> {
        node[0] = n;
        return n.createRule(rule("keep", cacheProps(port, 10, 5, 100).put("cleanCacheAtStop", false)));
      })
      .compose(v -> {
        publish("keep", 0, 15); // 5 on disk, 10 in memory
        return awaitStatus(node[0], "keep", "all waiting", s -> s.getInteger(SINK0 + "buffer_length", -1) == 15);
      })
      .compose(v -> node[0].post("/rules/keep/stop", null))
      .compose(r -> expect(r, 200, "Rule keep was stopped."))
      .compose(v -> server.listen(port))
      .compose(p -> node[0].post("/rules/keep/start", null))
      .compose(r -> expect(r, 200, "Rule keep was started."))
      .compose(v -> server.awaitMessages(15))
      .compose(v -> awaitStatus(node[0], "keep", "the cache empty", s -> s.getInteger(SINK0 + "buffer_length", -1) == 0))
      .compose(v -> {
        publish("keep", 15, 16);
        return server.awaitMessages(16);
      })
      .compose(messages -> {
        ctx.verify(() -> {
          List<JsonObject> expected = new ArrayList<>(rows(0, 15, true));
          expected.addAll(rows(15, 16, false));
          assertEquals(expected, received(messages), "memory and disk alike came back after the stop, in order, once");
        });
        return cachePagesAfterStop(node[0], "keep");
      })
      .onComplete(ctx.succeeding(pages -> ctx.verify(() -> {
        assertEquals(List.of(), pages.get("keep"));
        ctx.completeNow();
      })));
  }

  @Test
  void withCleanCacheAtStopNothingCachedOutlivesTheStop(VertxTestContext ctx) {
    RecordingServer server = recorder("remote");
    int port = TestNode.freePort();
    TestNode[] node = new TestNode[1];
    node(new JsonObject())
      .compose(n -> {
        node[0] = n;
        return n.createRule(rule("clean", cacheProps(port, 10, 5, 100).put("cleanCacheAtStop", true)));
      })
      .compose(v -> {
        publish("clean", 0, 15); // 5 on disk, 10 in memory
        return awaitStatus(node[0], "clean", "all waiting", s -> s.getInteger(SINK0 + "buffer_length", -1) == 15);
      })
      .compose(v -> node[0].post("/rules/clean/stop", null))
      .compose(r -> expect(r, 200, "Rule clean was stopped."))
      .compose(v -> server.listen(port))
      .compose(p -> node[0].post("/rules/clean/start", null))
      .compose(r -> expect(r, 200, "Rule clean was started."))
      .compose(v -> awaitStatus(node[0], "clean", "connected with nothing cached",
        s -> s.getInteger(SINK0 + "connection_status", -2) == 1 && s.getInteger(SINK0 + "buffer_length", -1) == 0))
      .compose(v -> {
        publish("clean", 15, 16);
        return server.awaitMessages(1);
      })
      .compose(messages -> {
        ctx.verify(() -> assertEquals(rows(15, 16, false), received(messages),
          "nothing of what was cached before the stop arrives"));
        return cachePagesAfterStop(node[0], "clean");
      })
      .onComplete(ctx.succeeding(pages -> ctx.verify(() -> {
        assertEquals(List.of(), pages.get("clean"));
        assertEquals(1, server.messages().size(), "still nothing else: " + server.messages());
        ctx.completeNow();
      })));
  }

  @Test
  void deletingARuleRemovesItsDiskCacheAndOnlyItsOwn(VertxTestContext ctx) {
    int port = TestNode.freePort();
    TestNode[] node = new TestNode[1];
    node(new JsonObject())
      .compose(n -> {
        node[0] = n;
        return n.createRule(rule("gone", cacheProps(port, 5, 5, 100)))
          .compose(v -> n.createRule(rule("kept", cacheProps(port, 5, 5, 100))));
      })
      .compose(v -> {
        publish("gone", 0, 12); // two pages on disk, 2 in memory
        publish("kept", 0, 12);
        return Future.all(
          awaitStatus(node[0], "gone", "12 waiting", s -> s.getInteger(SINK0 + "buffer_length", -1) == 12),
          awaitStatus(node[0], "kept", "12 waiting", s -> s.getInteger(SINK0 + "buffer_length", -1) == 12));
      })
      .compose(v -> node[0].delete("/rules/gone"))
      .compose(r -> expect(r, 200, "Rule gone is dropped."))
      .compose(v -> cachePagesAfterStop(node[0], "gone", "kept"))
      .onComplete(ctx.succeeding(pages -> ctx.verify(() -> {
        assertEquals(List.of(), pages.get("gone"), "a dropped rule leaves no disk cache behind");
        // the node's stop wrote the 2 rows in memory as a third page: all 12 are on disk, oldest first
        assertEquals(List.of(List.of(0L, 5L), List.of(1L, 5L), List.of(2L, 2L)), pages.get("kept"),
          "the other rule's pages stay");
        ctx.completeNow();
      })));
  }

  // ---------------------------------------------------------------------------------------------------------------
  // node defaults (wsink.yaml sink:) and the rule's own values

  @Test
  void theNodeDefaultEnablesTheCacheForRulesThatDoNotSetItAndARuleCanTurnItOff(VertxTestContext ctx) {
    RecordingServer a = recorder("remote of dflt");
    RecordingServer b = recorder("remote of off");
    int portA = TestNode.freePort();
    int portB = TestNode.freePort();
    TestNode[] node = new TestNode[1];
    node(new JsonObject().put("sink", new JsonObject().put("enableCache", true)))
      .compose(n -> {
        node[0] = n;
        return n.createRule(rule("dflt", clientProps(portA).put("sendSingle", true).put("bufferLength", 5)))
          .compose(v -> n.createRule(rule("off", clientProps(portB).put("sendSingle", true).put("bufferLength", 5)
            .put("enableCache", false))));
      })
      .compose(v -> {
        publish("dflt", 0, 20);
        publish("off", 0, 20);
        return Future.all(
          awaitStatus(node[0], "dflt", "20 taken", s -> s.getLong(SINK0 + "records_in_total", 0L) == 20
            && s.getInteger(SINK0 + "buffer_length", -1) == 20),
          awaitStatus(node[0], "off", "20 taken", s -> s.getLong(SINK0 + "records_in_total", 0L) == 20
            && s.getInteger(SINK0 + "buffer_length", -1) == 5));
      })
      .compose(all -> {
        JsonObject dflt = all.resultAt(0);
        JsonObject off = all.resultAt(1);
        ctx.verify(() -> {
          assertEquals(0, dflt.getLong(SINK0 + "records_dropped_total"), "cached: " + dflt.encode());
          assertEquals(15, off.getLong(SINK0 + "records_dropped_total"), "no cache: " + off.encode());
        });
        return Future.all(a.listen(portA), b.listen(portB));
      })
      .compose(v -> Future.all(a.awaitMessages(20), b.awaitMessages(5)))
      .compose(v -> Future.all(
        awaitStatus(node[0], "dflt", "the cache empty", s -> s.getInteger(SINK0 + "buffer_length", -1) == 0),
        awaitStatus(node[0], "off", "the buffer empty", s -> s.getInteger(SINK0 + "buffer_length", -1) == 0)))
      .compose(v -> {
        publish("dflt", 20, 21);
        publish("off", 20, 21);
        return Future.all(a.awaitMessages(21), b.awaitMessages(6));
      })
      .onComplete(ctx.succeeding(all -> ctx.verify(() -> {
        // no resendIndicatorField on either rule, and none in the node's defaults: rows come back as they were
        assertEquals(rows(0, 21, false), received(a.messages()), "everything, in order, once");
        List<JsonObject> newest = new ArrayList<>(rows(15, 20, false));
        newest.addAll(rows(20, 21, false));
        assertEquals(newest, received(b.messages()), "only the newest bufferLength rows without the cache");
        ctx.completeNow();
      })));
  }

  @Test
  void theRuleOwnCacheSizesOverrideTheNodeDefaults(VertxTestContext ctx) {
    int port = TestNode.freePort();
    TestNode[] node = new TestNode[1];
    JsonObject sink = new JsonObject().put("enableCache", true).put("memoryCacheThreshold", 5).put("bufferPageSize", 5)
      .put("maxDiskCache", 5);
    node(new JsonObject().put("sink", sink))
      .compose(n -> {
        node[0] = n;
        return n.createRule(rule("small", clientProps(port).put("bufferLength", 5)))
          .compose(v -> n.createRule(rule("bigger", clientProps(port).put("bufferLength", 5).put("maxDiskCache", 10))));
      })
      .compose(v -> {
        publish("small", 0, 20);
        publish("bigger", 0, 20);
        return Future.all(
          awaitStatus(node[0], "small", "20 taken", s -> s.getLong(SINK0 + "records_in_total", 0L) == 20
            && s.getInteger(SINK0 + "buffer_length", -1) == 10),
          awaitStatus(node[0], "bigger", "20 taken", s -> s.getLong(SINK0 + "records_in_total", 0L) == 20
            && s.getInteger(SINK0 + "buffer_length", -1) == 15));
      })
      .onComplete(ctx.succeeding(all -> ctx.verify(() -> {
        JsonObject small = all.resultAt(0);
        JsonObject bigger = all.resultAt(1);
        assertEquals(10, small.getLong(SINK0 + "records_dropped_total"), "5 in memory, 5 on disk: " + small.encode());
        assertEquals(5, bigger.getLong(SINK0 + "records_dropped_total"), "5 in memory, 10 on disk: " + bigger.encode());
        ctx.completeNow();
      })));
  }

  // ---------------------------------------------------------------------------------------------------------------
  // acknowledgements, standalone sinks, a flapping server

  @Test
  void acknowledgementsOfPayloadsThatSpillToDiskFailWithCodeCachedAndTheOthersSucceedOnceWritten(VertxTestContext ctx) {
    RecordingServer server = recorder("remote");
    int port = TestNode.freePort();
    TestNode[] node = new TestNode[1];
    List<Future<Message<JsonObject>>> acks = new ArrayList<>();
    DeliveryOptions twentySeconds = new DeliveryOptions().setSendTimeout(20_000);
    node(new JsonObject())
      .compose(n -> {
        node[0] = n;
        return n.createRule(rule("acked", cacheProps(port, 5, 5, 100)));
      })
      .compose(v -> {
        // memory keeps 5: the 6th request pushes the first 5 to disk
        for (int i = 0; i < 10; i++) {
          acks.add(vertx.eventBus().request("rule.acked", row(i), twentySeconds));
        }
        return Future.join(new ArrayList<>(acks.subList(0, 5)));
      })
      .transform(ar -> {
        ctx.verify(() -> {
          for (int i = 0; i < 5; i++) {
            Future<Message<JsonObject>> ack = acks.get(i);
            assertTrue(ack.failed(), "request " + i + " went to disk: its acknowledgement fails");
            ReplyException failure = assertInstanceOf(ReplyException.class, ack.cause());
            assertEquals(AckFailure.CACHED, failure.failureCode(), failure.getMessage());
            assertEquals(ReplyFailure.RECIPIENT_FAILURE, failure.failureType(), failure.getMessage());
          }
          for (int i = 5; i < 10; i++) {
            assertFalse(acks.get(i).isComplete(), "request " + i + " is in memory: its acknowledgement waits");
          }
        });
        return awaitStatus(node[0], "acked", "10 waiting", s -> s.getInteger(SINK0 + "buffer_length", -1) == 10);
      })
      .compose(v -> server.listen(port))
      .compose(p -> Future.all(new ArrayList<>(acks.subList(5, 10))))
      .compose(v -> server.awaitMessages(10))
      .onComplete(ctx.succeeding(messages -> ctx.verify(() -> {
        for (int i = 5; i < 10; i++) {
          assertEquals(new JsonObject().put("delivered", 1), acks.get(i).result().body(), "request " + i);
        }
        assertEquals(rows(0, 10, true), received(messages), "those on disk are resent too");
        ctx.completeNow();
      })));
  }

  @Test
  void aStandaloneSinkHasNoStoreSoEnableCacheFailsItsDeployment(VertxTestContext ctx) {
    JsonObject config = new JsonObject().put("from", "standalone.cache").put("websocket",
      clientProps(TestNode.freePort()).put("enableCache", true));
    vertx.deployVerticle(new WebSocketSinkVerticle(), new DeploymentOptions().setConfig(config))
      .onComplete(ctx.failing(err -> ctx.verify(() -> {
        assertTrue(err.getMessage().contains("enableCache"), err.getMessage());
        assertTrue(vertx.deploymentIDs().isEmpty(), "nothing stays deployed");
        vertx.eventBus().request("standalone.cache", "x").onComplete(ctx.failing(e -> ctx.verify(() -> {
          ReplyException re = assertInstanceOf(ReplyException.class, e);
          assertEquals(ReplyFailure.NO_HANDLERS, re.failureType(), "nothing consumes the address: " + e);
          ctx.completeNow();
        })));
      })));
  }

  @Test
  void theServerGoingAwayOnceAndComingBackDeliversEveryRowOnceInOrder(VertxTestContext ctx) {
    RecordingServer server = recorder("flapping remote");
    int[] port = new int[1];
    TestNode[] node = new TestNode[1];
    node(new JsonObject())
      .compose(n -> {
        node[0] = n;
        return server.listen(0);
      })
      .compose(p -> {
        port[0] = p;
        return node[0].createRule(rule("flap", cacheProps(p, 10, 5, 100)));
      })
      .compose(v -> awaitStatus(node[0], "flap", "connected", s -> s.getInteger(SINK0 + "connection_status", -2) == 1))
      .compose(v -> {
        publish("flap", 0, 5);
        return server.awaitMessages(5);
      })
      .compose(v -> server.close())
      .compose(v -> awaitStatus(node[0], "flap", "the connection seen down",
        s -> s.getInteger(SINK0 + "connection_status", 1) != 1))
      .compose(v -> {
        publish("flap", 5, 35); // 20 to disk, 10 in memory
        return awaitStatus(node[0], "flap", "30 waiting", s -> s.getInteger(SINK0 + "buffer_length", -1) == 30);
      })
      .compose(v -> server.listen(port[0]))
      .compose(p -> server.awaitMessages(6))
      .compose(v -> {
        publish("flap", 35, 45); // while the resend is under way
        return server.awaitMessages(45);
      })
      .compose(v -> awaitStatus(node[0], "flap", "everything out", s -> s.getInteger(SINK0 + "buffer_length", -1) == 0
        && s.getLong(SINK0 + "records_out_total", 0L) == 45))
      .compose(v -> {
        publish("flap", 45, 46);
        return server.awaitMessages(46);
      })
      .onComplete(ctx.succeeding(messages -> ctx.verify(() -> {
        List<JsonObject> got = received(messages);
        List<Integer> seqs = got.stream().map(r -> r.getInteger("seq")).toList();
        List<Integer> expected = new ArrayList<>();
        for (int i = 0; i < 46; i++) {
          expected.add(i);
        }
        assertEquals(expected, seqs, "every row once, in order");
        for (int i = 0; i < 5; i++) {
          assertFalse(got.get(i).containsKey(INDICATOR), "sent before the outage: " + got.get(i));
        }
        for (int i = 5; i < 35; i++) {
          assertEquals(true, got.get(i).getBoolean(INDICATOR), "cached during the outage: " + got.get(i));
        }
        assertFalse(got.get(45).containsKey(INDICATOR), "sent after the resend: " + got.get(45));
        ctx.completeNow();
      })));
  }

  // ---------------------------------------------------------------------------------------------------------------
  // helpers

  /**
   * Client-mode properties dialling {@code 127.0.0.1:port}: one frame per row, bufferLength 5, the cache on with the
   * given sizes, and {@value #INDICATOR} marking resent rows.
   */
  private static JsonObject cacheProps(int port, int memory, int page, int disk) {
    return clientProps(port).put("sendSingle", true).put("bufferLength", 5).put("enableCache", true)
      .put("memoryCacheThreshold", memory).put("bufferPageSize", page).put("maxDiskCache", disk)
      .put("resendIndicatorField", INDICATOR);
  }

  /** A node of its own (store in its own directory), stopped after the test unless the test stopped it. */
  private Future<TestNode> node(JsonObject extra) {
    Path home = dir.resolve("node" + nodes.size());
    return TestNode.start(vertx, home, extra).onSuccess(n -> nodes.put(n, home));
  }

  private RecordingServer recorder(String name) {
    RecordingServer server = new RecordingServer(vertx, name);
    servers.add(server);
    return server;
  }

  private static JsonObject row(int seq) {
    return new JsonObject().put("seq", seq);
  }

  /** Publishes rows {@code from} (inclusive) to {@code to} (exclusive) to rule {@code ruleId}, in order. */
  private void publish(String ruleId, int from, int to) {
    for (int i = from; i < to; i++) {
      vertx.eventBus().publish("rule." + ruleId, row(i));
    }
  }

  /** The rows {@code from} to {@code to} as the remote server should see them. */
  private static List<JsonObject> rows(int from, int to, boolean resent) {
    List<JsonObject> rows = new ArrayList<>();
    for (int i = from; i < to; i++) {
      rows.add(resent ? row(i).put(INDICATOR, true) : row(i));
    }
    return rows;
  }

  /** What the server received, each a text frame of one JSON row. */
  private static List<JsonObject> received(List<Object> messages) {
    List<JsonObject> rows = new ArrayList<>();
    for (Object m : messages) {
      assertInstanceOf(String.class, m, "a text frame: " + m);
      rows.add(new JsonObject((String) m));
    }
    return rows;
  }

  private Future<JsonObject> awaitStatus(TestNode node, String id, String what, Predicate<JsonObject> until) {
    return node.awaitStatus(id, what, until, STATUS_ATTEMPTS);
  }

  /** {@code awaited}, or its failure preceded by the rule's status at that moment (what is still cached, what went out). */
  private static <T> Future<T> withStatus(TestNode node, String ruleId, Future<T> awaited) {
    return awaited.recover(err -> node.status(ruleId).transform(s -> Future.failedFuture(new AssertionError(
      "status of " + ruleId + ": " + (s.succeeded() ? s.result().encode() : s.cause()) + "; " + err.getMessage(), err))));
  }

  private static Future<Void> expect(HttpResponse<Buffer> r, int status, String body) {
    return r.statusCode() == status && body.equals(r.bodyAsString()) ? Future.succeededFuture()
      : Future.failedFuture(new AssertionError("expected " + status + " " + body + ", got " + r.statusCode() + " "
        + r.bodyAsString()));
  }

  /**
   * Stops the node (as on SIGTERM), then opens its store and lists the disk cache of the first action of each rule:
   * for each rule id, its pages as {@code [page, payloads]}, oldest first.
   */
  private Future<Map<String, List<List<Long>>>> cachePagesAfterStop(TestNode node, String... ruleIds) {
    Path data = nodes.get(node).resolve("data");
    return node.stop()
      .compose(v -> SqliteStore.open(vertx, data.toString()))
      .compose(store -> listAll(store, ruleIds).eventually(store::close));
  }

  private static Future<Map<String, List<List<Long>>>> listAll(Store store, String... ruleIds) {
    Map<String, List<List<Long>>> result = new LinkedHashMap<>();
    Future<Void> chain = Future.succeededFuture();
    for (String id : ruleIds) {
      chain = chain.compose(v -> store.listCachePages(WebSocketSinkVerticle.cacheKey(id, 0, 0)).map(pages -> {
        List<List<Long>> list = new ArrayList<>();
        pages.forEach(p -> list.add(List.of(p[0], p[1])));
        result.put(id, list);
        return null;
      }));
    }
    return chain.map(v -> result);
  }
}
