package io.wsink.store;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

@ExtendWith(VertxExtension.class)
class SqliteStoreTest {

  @TempDir
  Path tmp;

  // ---- rules and endpoints --------------------------------------------------------------------------------

  @Test
  void rulesComeBackOrderedByIdWithDefinitionAndState(Vertx vertx) throws Exception {
    Store store = open(vertx, tmp);
    StoredRule b = rule("b", true);
    StoredRule a = new StoredRule("a", new JsonObject()
      .put("id", "a")
      .put("sql", "SELECT * FROM demo")
      .put("actions", new JsonArray().add(new JsonObject().put("websocket",
        new JsonObject().put("addr", "127.0.0.1:8080").put("path", "/ws/é✓").put("sendSingle", true)))), false);
    await(store.saveRule(b));
    await(store.saveRule(a));

    assertEquals(List.of(a, b), await(store.loadRules()));
    await(store.close());
  }

  @Test
  void savingARuleAgainReplacesDefinitionAndState(Vertx vertx) throws Exception {
    Store store = open(vertx, tmp);
    await(store.saveRule(rule("r1", true)));
    StoredRule changed = new StoredRule("r1", new JsonObject().put("id", "r1").put("sql", "SELECT 2"), false);
    await(store.saveRule(changed));

    assertEquals(List.of(changed), await(store.loadRules()));
    await(store.close());
  }

  @Test
  void definitionIsCapturedWhenSaved(Vertx vertx) throws Exception {
    Store store = open(vertx, tmp);
    StoredRule r1 = rule("r1", true);
    Future<Void> saved = store.saveRule(r1);
    r1.definition().put("sql", "changed after save");
    await(saved);

    assertEquals("SELECT 1", await(store.loadRules()).get(0).definition().getString("sql"));
    await(store.close());
  }

  @Test
  void deletingARuleRemovesOnlyThatRuleAndAbsentIdsAreFine(Vertx vertx) throws Exception {
    Store store = open(vertx, tmp);
    await(store.saveRule(rule("r1", true)));
    await(store.saveRule(rule("r2", false)));
    await(store.deleteRule("r1"));
    await(store.deleteRule("never-stored"));

    assertEquals(List.of(rule("r2", false)), await(store.loadRules()));
    await(store.close());
  }

  @Test
  void endpointsAreIdempotentOrderedAndDeletable(Vertx vertx) throws Exception {
    Store store = open(vertx, tmp);
    await(store.saveEndpoint("/ws/b"));
    await(store.saveEndpoint("/ws/a"));
    await(store.saveEndpoint("/ws/a"));
    assertEquals(List.of("/ws/a", "/ws/b"), await(store.loadEndpoints()));

    await(store.deleteEndpoint("/ws/a"));
    await(store.deleteEndpoint("/ws/never"));
    assertEquals(List.of("/ws/b"), await(store.loadEndpoints()));
    await(store.close());
  }

  @Test
  void operationsRunInTheOrderTheyWereAskedFor(Vertx vertx) throws Exception {
    Store store = open(vertx, tmp);
    List<Future<Void>> writes = new ArrayList<>();
    for (int i = 0; i < 50; i++) { // no waiting in between: only ordering makes the last write win
      writes.add(store.saveRule(rule("r", i % 2 == 0)));
      writes.add(store.saveEndpoint("/e"));
      writes.add(store.deleteEndpoint("/e"));
    }
    writes.add(store.saveRule(rule("r", false)));
    Future<List<StoredRule>> rules = store.loadRules();
    Future<List<String>> endpoints = store.loadEndpoints();

    await(Future.all(writes));
    assertEquals(List.of(rule("r", false)), await(rules));
    assertEquals(List.of(), await(endpoints));
    await(store.close());
  }

  @Test
  void nullArgumentsAreRejectedAtOnce(Vertx vertx) throws Exception {
    Store store = open(vertx, tmp);
    assertThrows(NullPointerException.class, () -> store.saveRule(null));
    assertThrows(NullPointerException.class, () -> store.deleteRule(null));
    assertThrows(NullPointerException.class, () -> store.saveEndpoint(null));
    assertThrows(NullPointerException.class, () -> store.deleteEndpoint(null));
    assertThrows(IllegalArgumentException.class, () -> SqliteStore.open(vertx, " "));
    await(store.close());
  }

  // ---- durability -----------------------------------------------------------------------------------------

  @Test
  void everythingSurvivesCloseAndReopen(Vertx vertx) throws Exception {
    Store first = open(vertx, tmp);
    await(first.saveRule(rule("running", true)));
    await(first.saveRule(rule("stopped", false)));
    await(first.saveEndpoint("/ws/one"));
    await(first.close());

    Store second = open(vertx, tmp);
    assertEquals(List.of(rule("running", true), rule("stopped", false)), await(second.loadRules()));
    assertEquals(List.of("/ws/one"), await(second.loadEndpoints()));
    await(second.close());
  }

  @Test
  @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // a silent child would block the read
  void committedWritesSurviveKillDashNine(Vertx vertx) throws Exception {
    String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process child = new ProcessBuilder(java.toString(), "-cp", classpath, KilledWriter.class.getName(), tmp.toString())
      .redirectErrorStream(true)
      .start();
    try {
      StringBuilder output = new StringBuilder();
      try (BufferedReader lines = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = lines.readLine()) != null && !line.equals(KilledWriter.SAVED)) {
          output.append(line).append('\n');
        }
        if (line == null) {
          fail("the writer process ended before saving:\n" + output);
        }
        child.destroyForcibly(); // SIGKILL: no shutdown hook, no close, no checkpoint
        assertTrue(child.waitFor(30, TimeUnit.SECONDS));
      }
      assertEquals(128 + 9, child.exitValue(), "the writer must have died of SIGKILL");
      assertTrue(Files.size(tmp.resolve("wsink.db-wal")) > 0, "the writes must still be in the WAL, not yet checkpointed");

      Store store = open(vertx, tmp);
      assertEquals(List.of(rule("r1", true), rule("r2", false)), await(store.loadRules()));
      assertEquals(List.of("/ws/a"), await(store.loadEndpoints()));
      await(store.close());
    } finally {
      child.destroyForcibly();
    }
  }

  /** Run in a child JVM: saves, says so, then waits to be killed. */
  static final class KilledWriter {
    static final String SAVED = "WSINK-STORE-SAVED";

    public static void main(String[] args) throws Exception {
      Vertx vertx = Vertx.vertx();
      Store store = SqliteStore.open(vertx, args[0]).await(20, TimeUnit.SECONDS);
      Future.all(store.saveRule(rule("r1", true)), store.saveRule(rule("r2", false)), store.saveEndpoint("/ws/a"))
        .await(20, TimeUnit.SECONDS);
      System.out.println(SAVED);
      System.out.flush();
      System.in.read(); // parked until the test kills this process
    }
  }

  @Test
  void storeIsSqliteInWalModeWithSchemaVersionOne(Vertx vertx) throws Exception {
    Store store = open(vertx, tmp);
    SqliteStore sqlite = (SqliteStore) store;
    assertEquals("wal", await(sqlite.run("test", c -> pragma(c, "journal_mode"))));
    assertEquals("1", await(sqlite.run("test", c -> pragma(c, "synchronous"))), "synchronous=NORMAL");
    await(store.close());

    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + tmp.resolve("wsink.db"))) {
      assertEquals("1", pragma(c, "user_version"));
      assertEquals("wal", pragma(c, "journal_mode"));
    }
  }

  // ---- the store thread -----------------------------------------------------------------------------------

  @Test
  void storeWorkRunsOnItsOwnWorkerThreadEvenWhenAskedFromTheEventLoop(Vertx vertx) throws Exception {
    SqliteStore store = (SqliteStore) open(vertx, tmp);
    Promise<List<String>> observed = Promise.promise();
    vertx.runOnContext(v -> {
      String caller = (Context.isOnEventLoopThread() ? "event-loop " : "other ") + Thread.currentThread().getName();
      Future<String> first = store.run("test", c -> where());
      Future<String> second = store.run("test", c -> where());
      Future.all(first, second).map(all -> List.of(caller, first.result(), second.result())).onComplete(observed);
    });
    List<String> threads = await(observed.future());

    assertTrue(threads.get(0).startsWith("event-loop "), threads.get(0));
    assertTrue(threads.get(1).startsWith("worker wsink-store-"), threads.get(1));
    assertEquals(threads.get(1), threads.get(2), "one dedicated thread does all store work");
    await(store.close());
  }

  private static String where() {
    return (Context.isOnWorkerThread() ? "worker " : "not-worker ") + Thread.currentThread().getName();
  }

  // ---- closing --------------------------------------------------------------------------------------------

  @Test
  void operationsAfterCloseFailCleanly(Vertx vertx) throws Exception {
    Store store = open(vertx, tmp);
    await(store.close());

    for (Future<?> op : List.of(store.loadRules(), store.saveRule(rule("r1", true)), store.deleteRule("r1"),
      store.loadEndpoints(), store.saveEndpoint("/e"), store.deleteEndpoint("/e"))) {
      String message = failureMessage(op);
      assertTrue(message.contains(tmp.resolve("wsink.db").toString()) && message.contains("closed"), message);
    }
    await(store.close()); // idempotent
  }

  @Test
  void closeWaitsForOperationsAlreadyAskedFor(Vertx vertx) throws Exception {
    Store store = open(vertx, tmp);
    Future<Void> saved = store.saveRule(rule("r1", true));
    Future<Void> closed = store.close();
    await(saved); // succeeds: it was queued before close, so it is not refused as "closed"
    await(closed);

    Store reopened = open(vertx, tmp);
    assertEquals(List.of(rule("r1", true)), await(reopened.loadRules()));
    await(reopened.close());
  }

  @Test
  void aSecondStoreOnTheSameDirectoryIsRefusedUntilTheFirstCloses(Vertx vertx) throws Exception {
    Store first = open(vertx, tmp);
    String message = failureMessage(SqliteStore.open(vertx, tmp.toString()));
    assertTrue(message.contains(tmp.resolve("wsink.db").toString()) && message.contains("in use"), message);

    await(first.close());
    await(open(vertx, tmp).close());
  }

  // ---- unusable stores ------------------------------------------------------------------------------------

  @Test
  void relativeDirResolvesAgainstTheWorkingDirectory(Vertx vertx) throws Exception {
    String relative = "target/store-test-" + UUID.randomUUID();
    Path absolute = Path.of("").toAbsolutePath().resolve(relative);
    try {
      await(SqliteStore.open(vertx, relative).compose(Store::close));
      assertTrue(Files.isRegularFile(absolute.resolve("wsink.db")), absolute.toString());
    } finally {
      deleteRecursively(absolute);
    }
  }

  @Test
  void aDirectoryThatCannotBeCreatedFailsNamingIt(Vertx vertx) throws Exception {
    Path blocker = Files.writeString(tmp.resolve("blocker"), "a regular file");
    Path dir = blocker.resolve("data");
    String message = failureMessage(SqliteStore.open(vertx, dir.toString()));
    assertTrue(message.startsWith("store dir " + dir + " cannot be created"), message);
  }

  @Test
  void aDirThatIsARegularFileFailsNamingIt(Vertx vertx) throws Exception {
    Path file = Files.writeString(tmp.resolve("data"), "a regular file");
    String message = failureMessage(SqliteStore.open(vertx, file.toString()));
    assertEquals("store dir " + file + " is not a directory", message);
  }

  @Test
  void aGarbageFileFailsNamingItAndIsLeftUntouched(Vertx vertx) throws Exception {
    Path file = tmp.resolve("wsink.db");
    byte[] garbage = new byte[8192];
    new Random(42).nextBytes(garbage);
    Files.write(file, garbage);

    String message = failureMessage(SqliteStore.open(vertx, tmp.toString()));
    assertEquals("store file " + file + " is not a SQLite database (file is not a database)", message);
    assertArrayEquals(garbage, Files.readAllBytes(file));
  }

  @Test
  void aStoreFileThatIsADirectoryFailsNamingIt(Vertx vertx) throws Exception {
    Path file = Files.createDirectory(tmp.resolve("wsink.db")); // unusable even for root
    String message = failureMessage(SqliteStore.open(vertx, tmp.toString()));
    assertEquals("store file " + file + " is not a regular file", message);
  }

  @Test
  void aNewerSchemaIsRefusedAndLeftAsItIs(Vertx vertx) throws Exception {
    Path file = tmp.resolve("wsink.db");
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement()) {
      s.execute("PRAGMA user_version = 2");
    }
    String message = failureMessage(SqliteStore.open(vertx, tmp.toString()));
    assertTrue(message.startsWith("store file " + file + " has schema version 2"), message);
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file)) {
      assertEquals("2", pragma(c, "user_version"));
    }
  }

  @Test
  void aReadOnlyDirectoryFailsNamingIt(Vertx vertx) throws Exception {
    Path dir = Files.createDirectory(tmp.resolve("readonly"));
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("r-xr-xr-x"));
    try {
      assumeFalse(Files.isWritable(dir), "running as root: chmod does not stop writes");
      String message = failureMessage(SqliteStore.open(vertx, dir.toString()));
      assertEquals("store dir " + dir + " is not writable", message);
    } finally {
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
  }

  @Test
  void aReadOnlyStoreFileFailsNamingIt(Vertx vertx) throws Exception {
    await(open(vertx, tmp).close());
    Path file = tmp.resolve("wsink.db");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("r--r--r--"));
    assumeFalse(Files.isWritable(file), "running as root: chmod does not stop writes");
    String message = failureMessage(SqliteStore.open(vertx, tmp.toString()));
    assertEquals("store file " + file + " is not writable", message);
  }

  // ---- helpers --------------------------------------------------------------------------------------------

  private static StoredRule rule(String id, boolean running) {
    return new StoredRule(id, new JsonObject().put("id", id).put("sql", "SELECT 1"), running);
  }

  private static Store open(Vertx vertx, Path dir) throws Exception {
    return await(SqliteStore.open(vertx, dir.toString()));
  }

  private static <T> T await(Future<T> future) throws Exception {
    try {
      return future.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw new AssertionError("expected success, got: " + e.getCause(), e.getCause());
    }
  }

  /** Waits for the future to fail with a StoreException and returns its message. */
  private static String failureMessage(Future<?> future) throws Exception {
    try {
      future.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      assertInstanceOf(StoreException.class, e.getCause());
      String message = e.getCause().getMessage();
      assertFalse(message.contains("\n"), "one line: " + message);
      return message;
    }
    return fail("expected a failure");
  }

  private static String pragma(Connection c, String name) throws SQLException {
    try (Statement s = c.createStatement(); ResultSet rows = s.executeQuery("PRAGMA " + name)) {
      rows.next();
      return rows.getString(1);
    }
  }

  private static void deleteRecursively(Path root) throws Exception {
    if (Files.exists(root)) {
      try (Stream<Path> paths = Files.walk(root)) {
        for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
    }
  }
}
