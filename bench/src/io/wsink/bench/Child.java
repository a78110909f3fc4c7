package io.wsink.bench;

import io.vertx.core.json.JsonObject;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One child process of the orchestrator: a server under test, a load client or a counting server. Its protocol lines
 * ({@link Proto#MARK}) are queued for {@link #expect}; everything it prints goes to its log file under
 * bench/target/logs. Every child ever started is tracked, so that {@link #killAll()} (called at the end and from a
 * shutdown hook) leaves none running.
 */
final class Child implements AutoCloseable {

  private static final Set<Child> LIVE = ConcurrentHashMap.newKeySet();
  private static final String EOF = "\u0000eof";

  private final String name;
  private final Process process;
  private final Path log;
  private final PrintWriter stdin;
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>(10_000);

  private Child(String name, Process process, Path log) {
    this.name = name;
    this.process = process;
    this.log = log;
    this.stdin = new PrintWriter(new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8), true);
    Thread reader = new Thread(this::pumpOutput, "out-" + name);
    reader.setDaemon(true);
    reader.start();
  }

  static Child start(String name, List<String> command, Map<String, String> env, Path logDir) throws IOException {
    Files.createDirectories(logDir);
    Path log = logDir.resolve(name + ".log");
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().putAll(env);
    Child child = new Child(name, builder.start(), log);
    LIVE.add(child);
    return child;
  }

  String name() {
    return name;
  }

  long pid() {
    return process.pid();
  }

  Process process() {
    return process;
  }

  private void pumpOutput() {
    try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
         Writer file = Files.newBufferedWriter(log)) {
      for (String line; (line = out.readLine()) != null; ) {
        file.write(line);
        file.write('\n');
        if (line.startsWith(Proto.MARK)) {
          file.flush();
          lines.offer(line.substring(Proto.MARK.length()));
        }
      }
    } catch (IOException e) {
      // the process is gone; expect() reports that
    } finally {
      lines.offer(EOF);
    }
  }

  void send(String command) {
    stdin.println(command);
  }

  /**
   * Waits for the next protocol line starting with {@code keyword}; other lines in between are skipped (they are in
   * the log). An {@code ERROR} line or the end of the process fails at once.
   *
   * @return the JSON payload after the keyword (empty object when there is none)
   */
  JsonObject expect(String keyword, long timeoutMs) throws BenchException, InterruptedException {
    long deadline = System.currentTimeMillis() + timeoutMs;
    while (true) {
      long left = deadline - System.currentTimeMillis();
      String line = left > 0 ? lines.poll(left, TimeUnit.MILLISECONDS) : null;
      if (line == null) {
        throw new BenchException(name + ": no " + keyword + " within " + timeoutMs + " ms (log: " + log + ")");
      }
      if (line.equals(EOF)) {
        lines.offer(EOF);
        throw new BenchException(name + " exited (" + exitText() + ") while waiting for " + keyword + " (log: " + log + ")");
      }
      if (line.startsWith("ERROR")) {
        throw new BenchException(name + ": " + line + " (log: " + log + ")");
      }
      if (line.equals(keyword) || line.startsWith(keyword + " ")) {
        String payload = line.substring(keyword.length()).trim();
        return payload.startsWith("{") ? new JsonObject(payload) : new JsonObject().put("text", payload);
      }
    }
  }

  private String exitText() {
    try {
      return process.waitFor(1, TimeUnit.SECONDS) ? "exit code " + process.exitValue() : "still running";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "unknown";
    }
  }

  /** Resident set size from /proc/<pid>/status, in KiB. */
  long rssKiB() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid()), "status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    throw new IOException("no VmRSS for " + name);
  }

  /** User + system CPU time so far, in clock ticks (/proc/<pid>/stat fields 14 and 15). */
  long cpuTicks() {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid()), "stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return Long.parseLong(f[11]) + Long.parseLong(f[12]); // fields 14, 15 counted from after "(comm) "
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /** Asks the child to exit, then terminates it, then kills it: bounded at about 8 s. */
  @Override
  public void close() {
    closeAll(List.of(this));
  }

  /**
   * Closes several children at once (their shutdowns, 10 000 sockets each sometimes, overlap): asks each to exit,
   * terminates those still running after 4 s, kills those still running 3 s later.
   */
  static void closeAll(List<Child> children) {
    List<Child> alive = children.stream().filter(c -> c != null && c.process.isAlive()).toList();
    try {
      for (Child c : alive) {
        c.send("exit");
        c.stdin.close();
      }
      if (!awaitExit(alive, 4_000)) {
        alive.forEach(c -> c.process.destroy());
        if (!awaitExit(alive, 3_000)) {
          alive.forEach(c -> c.process.destroyForcibly());
          awaitExit(alive, 1_000);
        }
      }
    } catch (InterruptedException e) {
      alive.forEach(c -> c.process.destroyForcibly());
      Thread.currentThread().interrupt();
    } finally {
      children.stream().filter(java.util.Objects::nonNull).forEach(LIVE::remove);
    }
  }

  private static boolean awaitExit(List<Child> children, long timeoutMs) throws InterruptedException {
    long deadline = System.currentTimeMillis() + timeoutMs;
    for (Child c : children) {
      long left = deadline - System.currentTimeMillis();
      if (left <= 0 || !c.process.waitFor(left, TimeUnit.MILLISECONDS)) {
        return children.stream().noneMatch(x -> x.process.isAlive());
      }
    }
    return true;
  }

  /** Terminates (SIGTERM, as an operator would) a child that does not read stdin, then kills it after 10 s. */
  void terminate() {
    try {
      process.destroy();
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(2, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    } finally {
      LIVE.remove(this);
    }
  }

  /** Kills every child still running (their own children too), without waiting for goodbyes. */
  static void killAll() {
    for (Child c : List.copyOf(LIVE)) {
      c.process.descendants().forEach(ProcessHandle::destroyForcibly);
      c.process.destroyForcibly();
      LIVE.remove(c);
    }
  }

  /** A child that did not do what the protocol says. */
  static final class BenchException extends Exception {
    private static final long serialVersionUID = 1L;

    BenchException(String message) {
      super(message);
    }
  }
}
