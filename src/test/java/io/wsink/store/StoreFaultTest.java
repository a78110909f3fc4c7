package io.wsink.store;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.AppenderBase;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.wsink.sink.AckFailure;
import io.wsink.testkit.Poll;
import io.wsink.testkit.RecordingServer;
import io.wsink.testkit.TestNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

import static io.wsink.testkit.Rules.SINK0;
import static io.wsink.testkit.Rules.byId;
import static io.wsink.testkit.Rules.clientProps;
import static io.wsink.testkit.Rules.rule;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 6.4, fault 3 — the store of a running node stops taking writes: read-only (as a file system remounted read-only
 * after disk errors) or full (as a full disk). The suite runs as root, so file permissions cannot make SQLite fail, and
 * no small file system can be mounted; instead the test sets, on the node's own SQLite connection, the pragma that makes
 * SQLite itself refuse: {@code query_only} (every write fails with SQLITE_READONLY) or {@code max_page_count} at the
 * current size (a write that needs a new page fails with SQLITE_FULL, as when the disk is full). The failure then takes
 * the product's real path — SQLite, the JDBC driver, the store's error mapping, the rule manager, the REST API, the
 * cache — and undoing the pragma is the disk getting room again.
 *
 * <p>What must hold: a new rule is refused with a clear 5xx error envelope naming the store problem, not a crash nor a
 * hang; running rules go on delivering; the log says it once per burst of failures; once the store is writable, the same
 * request succeeds; a cache page that cannot be written is counted as dropped with a clear {@code last_exception}.
 */
@ExtendWith(VertxExtension.class)
@io.vertx.junit5.Timeout(value = 40, timeUnit = TimeUnit.SECONDS)
class StoreFaultTest {

  private static final int STATUS_ATTEMPTS = (int) (RecordingServer.AWAIT_MS / Poll.DELAY_MS);
  /** SQLite's largest max_page_count: no limit but the disk. */
  private static final long NO_PAGE_LIMIT = 4_294_967_294L;

  @TempDir
  Path dir;
  private Vertx vertx;
  private TestNode node;
  private SqliteStore store;
  private final List<RecordingServer> servers = new ArrayList<>();
  private LogRecorder log;

  @BeforeEach
  void setUp(Vertx v) {
    vertx = v;
    log = LogRecorder.attach();
  }

  @AfterEach
  void cleanUp(VertxTestContext ctx) {
    log.detach();
    // the store writable again first, so that the node stops as it always does
    Future<Void> healed = store == null ? Future.succeededFuture()
      : pragma(store, "query_only = 0").compose(v -> pragma(store, "max_page_count = " + NO_PAGE_LIMIT));
    healed.transform(ar -> {
        List<Future<?>> closing = new ArrayList<>();
        servers.forEach(s -> closing.add(s.close()));
        if (node != null) {
          closing.add(node.stop());
        }
        return Future.join(closing);
      })
      .onComplete(ar -> ctx.completeNow());
  }

  @Test
  void aReadOnlyStoreRefusesNewRulesClearlyWhileRunningRulesDeliverAndTakesThemOnceWritable(VertxTestContext ctx) {
    RecordingServer server = recorder("remote");
    int[] port = new int[1];
    server.listen(0)
      .compose(p -> {
        port[0] = p;
        return startNode();
      })
      .compose(v -> node.createRule(rule("running", clientProps(port[0]))))
      .compose(v -> {
        vertx.eventBus().publish("rule.running", "before");
        return server.awaitMessages(1);
      })
      .compose(v -> pragma(store, "query_only = 1"))
      .compose(v -> node.post("/rules", rule("late", clientProps(port[0]))))
      .compose(r -> {
        ctx.verify(() -> assertStoreError(r, "is not writable"));
        return node.post("/rules", rule("later", clientProps(port[0])));
      })
      .compose(r -> {
        ctx.verify(() -> assertStoreError(r, "is not writable"));
        return node.post("/connection/websocket", new JsonObject().put("endpoint", "/registered"));
      })
      .compose(r -> {
        ctx.verify(() -> assertStoreError(r, "is not writable"));
        vertx.eventBus().publish("rule.running", "while read-only");
        return server.awaitMessages(2);
      })
      .compose(messages -> {
        ctx.verify(() -> {
          assertEquals(List.of("before", "while read-only"), messages, "the running rule went on delivering");
          assertEquals(1, log.storeErrors(), "one line for the burst of 3 failed writes: " + log);
        });
        return node.get("/rules");
      })
      .compose(r -> {
        ctx.verify(() -> {
          assertEquals(1, r.bodyAsJsonArray().size(), "nothing of the refused rules is left: " + r.bodyAsString());
          assertEquals("running", byId(r.bodyAsJsonArray(), "running").getString("status"));
        });
        return pragma(store, "query_only = 0");
      })
      .compose(v -> node.post("/rules", rule("late", clientProps(port[0]).put("path", "/late"))))
      .compose(r -> {
        ctx.verify(() -> assertEquals(201, r.statusCode(), r.bodyAsString()));
        return server.awaitUntil("the late rule's connection", s -> s.uris().contains("/late"));
      })
      .compose(v -> {
        vertx.eventBus().publish("rule.late", "created once writable");
        return server.awaitMessages(3);
      })
      .compose(messages -> {
        ctx.verify(() -> {
          assertEquals("created once writable", messages.get(2));
          assertTrue(log.contains(Level.INFO, "is written again; 3 operation(s) failed meanwhile"), log::toString);
          assertEquals(1, log.storeErrors(), log::toString);
        });
        // a second burst is logged again, once
        return pragma(store, "query_only = 1");
      })
      .compose(v -> node.post("/rules", rule("again", clientProps(port[0]))))
      .compose(r -> {
        ctx.verify(() -> assertStoreError(r, "is not writable"));
        return node.put("/rules/late", rule("late", clientProps(port[0]).put("path", "/late2")));
      })
      .compose(r -> {
        ctx.verify(() -> {
          assertStoreError(r, "is not writable");
          assertEquals(2, log.storeErrors(), "one line per burst: " + log);
        });
        // an update the store refused changed nothing: the rule runs on as it was
        vertx.eventBus().publish("rule.late", "after the refused update");
        return server.awaitMessages(4);
      })
      .onComplete(ctx.succeeding(messages -> ctx.verify(() -> {
        assertEquals("after the refused update", messages.get(3));
        assertTrue(!server.uris().contains("/late2"), "the refused definition never ran: " + server.uris());
        ctx.completeNow();
      })));
  }

  @Test
  void aCachePageThatCannotBeWrittenIsCountedAsDroppedWithTheReasonAndLaterPagesAreResent(VertxTestContext ctx) {
    RecordingServer server = recorder("remote");
    int port = TestNode.freePort(); // nothing listens yet: everything goes to the cache
    AtomicReference<Future<Message<Object>>> ack = new AtomicReference<>();
    startNode()
      // memory keeps 2 rows; pages of 2 rows of 3 kB go to disk: each needs new pages in the database file
      .compose(v -> node.createRule(rule("cached", clientProps(port).put("sendSingle", true).put("bufferLength", 1)
        .put("enableCache", true).put("memoryCacheThreshold", 2).put("bufferPageSize", 2).put("maxDiskCache", 100)
        .put("resendIndicatorField", "resent"))))
      .compose(v -> diskFull(store))
      .compose(v -> {
        vertx.eventBus().publish("rule.cached", row(0));
        ack.set(vertx.eventBus().request("rule.cached", row(1)));
        publish(2, 10); // 10 rows: pages [0,1] [2,3] [4,5] [6,7] spill to disk, [8,9] stay in memory
        return node.awaitStatus("cached", "4 pages dropped", s -> s.getLong(SINK0 + "records_in_total", 0L) == 10
          && s.getLong(SINK0 + "records_dropped_total", 0L) == 8, STATUS_ATTEMPTS);
      })
      .compose(status -> {
        ctx.verify(() -> {
          String last = status.getString(SINK0 + "last_exception");
          assertTrue(last.startsWith("cache page ") && last.contains(" of cached/0 (2 payload(s)) could not be written"
            + " and is dropped: store file ") && last.contains("cannot grow, the disk is full"), last);
          assertEquals(4, status.getLong(SINK0 + "exceptions_total"), "one per page: " + status.encode());
          assertEquals(2, status.getLong(SINK0 + "buffer_length"), "the 2 rows in memory wait: " + status.encode());
          assertEquals(1, log.errors("io.wsink.sink.CacheStage"), "one line for the burst of 4 pages: " + log);
          assertEquals(1, log.storeErrors(), log::toString);
        });
        return ack.get().transform(Future::succeededFuture);
      })
      .compose(acked -> {
        ctx.verify(() -> {
          assertTrue(acked.failed(), "a payload whose page was lost is not acknowledged");
          ReplyException failure = assertInstanceOf(ReplyException.class, acked.cause());
          assertEquals(AckFailure.DROPPED, failure.failureCode(), failure.getMessage());
          assertTrue(failure.getMessage().contains("cannot grow, the disk is full"), failure.getMessage());
        });
        return pragma(store, "max_page_count = " + NO_PAGE_LIMIT);
      })
      .compose(v -> {
        publish(10, 14); // the disk has room again: [8,9] and [10,11] go to disk, [12,13] stay in memory
        return node.awaitStatus("cached", "14 rows taken", s -> s.getLong(SINK0 + "records_in_total", 0L) == 14,
          STATUS_ATTEMPTS);
      })
      .compose(v -> server.listen(port))
      .compose(v -> server.awaitMessages(6))
      .compose(messages -> {
        ctx.verify(() -> {
          List<Integer> seqs = new ArrayList<>();
          messages.forEach(m -> {
            JsonObject row = new JsonObject((String) m);
            assertEquals(true, row.getBoolean("resent"), "resent from the cache: " + row.getInteger("seq"));
            seqs.add(row.getInteger("seq"));
          });
          assertEquals(List.of(8, 9, 10, 11, 12, 13), seqs, "all that was kept, once, in order");
          assertTrue(log.contains(Level.INFO, "cache pages are written again"), log::toString);
        });
        return node.awaitStatus("cached", "6 rows out", s -> s.getLong(SINK0 + "records_out_total", 0L) == 6,
          STATUS_ATTEMPTS);
      })
      .onComplete(ctx.succeeding(status -> ctx.verify(() -> {
        assertEquals(8, status.getLong(SINK0 + "records_dropped_total"), "the lost pages, no more: " + status.encode());
        assertEquals(0, status.getLong(SINK0 + "buffer_length"), status.encode());
        ctx.completeNow();
      })));
  }

  // ---------------------------------------------------------------------------------------------------------------

  private Future<Void> startNode() {
    return TestNode.start(vertx, dir).map(n -> {
      node = n;
      store = SqliteStore.opened(dir.resolve("data").resolve(SqliteStore.FILE_NAME));
      assertNotNull(store, "the node's store is open");
      return null;
    });
  }

  /** A 5xx error envelope (§6) whose message names the store file and {@code problem}. */
  private void assertStoreError(HttpResponse<Buffer> r, String problem) {
    assertEquals(503, r.statusCode(), r.bodyAsString());
    assertTrue(r.getHeader("Content-Type").startsWith("application/json"), r.getHeader("Content-Type"));
    JsonObject body = r.bodyAsJsonObject();
    assertEquals(1000, body.getInteger("error"), body.encode());
    String file = dir.resolve("data").resolve(SqliteStore.FILE_NAME).toAbsolutePath().toString();
    assertTrue(body.getString("message").startsWith("store file " + file + " " + problem), body.encode());
  }

  /** Runs {@code PRAGMA <setting>} on the store's own connection, on its own thread, behind the work already queued. */
  private static Future<Void> pragma(SqliteStore store, String setting) {
    return store.run("test: PRAGMA " + setting, c -> {
      try (Statement statement = c.createStatement()) {
        statement.execute("PRAGMA " + setting);
      }
      return null;
    });
  }

  /** Lets the database file grow no more: as if the disk were full. */
  private static Future<Void> diskFull(SqliteStore store) {
    return store.run("test: disk full", c -> {
      try (Statement statement = c.createStatement()) {
        long pages = number(statement, "PRAGMA page_count");
        assertEquals(0, number(statement, "PRAGMA freelist_count"), "no free page to reuse");
        assertEquals(pages, number(statement, "PRAGMA max_page_count = " + pages), "the limit took");
      }
      return null;
    });
  }

  private static long number(Statement statement, String sql) throws java.sql.SQLException {
    try (ResultSet rs = statement.executeQuery(sql)) {
      assertTrue(rs.next(), sql + " answered nothing");
      return rs.getLong(1);
    }
  }

  private static JsonObject row(int seq) {
    return new JsonObject().put("seq", seq).put("pad", "x".repeat(3000));
  }

  private void publish(int from, int to) {
    for (int i = from; i < to; i++) {
      vertx.eventBus().publish("rule.cached", row(i));
    }
  }

  private RecordingServer recorder(String name) {
    RecordingServer server = new RecordingServer(vertx, name);
    servers.add(server);
    return server;
  }

  /** Every log event of wsink's loggers at INFO and above while a test runs. */
  static final class LogRecorder extends AppenderBase<ILoggingEvent> {
    private final List<ILoggingEvent> events = new ArrayList<>();
    private Logger root;

    static LogRecorder attach() {
      LogRecorder recorder = new LogRecorder();
      recorder.root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
      recorder.setContext(recorder.root.getLoggerContext());
      recorder.start();
      recorder.root.addAppender(recorder);
      return recorder;
    }

    void detach() {
      root.detachAppender(this);
      stop();
    }

    @Override
    protected synchronized void append(ILoggingEvent event) {
      if (event.getLoggerName().startsWith("io.wsink") && event.getLevel().isGreaterOrEqual(Level.INFO)) {
        events.add(event);
      }
    }

    /** WARN and ERROR lines, from any wsink logger, that speak of the store: its message or its exception's. */
    synchronized long storeErrors() {
      return events.stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.WARN))
        .filter(e -> text(e).contains("store file ")).filter(e -> !e.getLoggerName().endsWith("CacheStage")).count();
    }

    synchronized long errors(String logger) {
      return events.stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.WARN) && e.getLoggerName().equals(logger))
        .count();
    }

    synchronized boolean contains(Level level, String text) {
      return events.stream().anyMatch(e -> e.getLevel() == level && e.getFormattedMessage().contains(text));
    }

    private static String text(ILoggingEvent e) {
      StringBuilder text = new StringBuilder(e.getFormattedMessage());
      for (IThrowableProxy t = e.getThrowableProxy(); t != null; t = t.getCause()) {
        text.append(' ').append(t.getMessage());
      }
      return text.toString();
    }

    @Override
    public synchronized String toString() {
      StringBuilder out = new StringBuilder("log:");
      events.forEach(e -> out.append("\n  ").append(e.getLevel()).append(' ').append(e.getLoggerName()).append(" - ")
        .append(text(e)));
      return out.toString();
    }
  }
}
