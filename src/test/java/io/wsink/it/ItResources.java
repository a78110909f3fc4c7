package io.wsink.it;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * What one IT started: wsink processes, WebSocket clients and test servers. After each test (pass or fail)
 * everything is closed, newest first, and every process is stopped (SIGTERM, SIGKILL after 5 s). When the test
 * failed, the output of every wsink process it started is printed and attached to the failure.
 *
 * <pre>{@code @RegisterExtension final ItResources resources = new ItResources();}</pre>
 */
final class ItResources implements AfterEachCallback, TestExecutionExceptionHandler {

  /** {@code WSINK_IT_LOGS=true}: print the wsink output of passing tests too, and when each step happened. */
  static final boolean VERBOSE = "true".equals(System.getenv("WSINK_IT_LOGS"));

  private final List<WsinkProcess> processes = new ArrayList<>();
  private final Deque<AutoCloseable> closeables = new ArrayDeque<>();

  synchronized void track(WsinkProcess process) {
    processes.add(process);
  }

  /** Closed after the test, before the processes stop. */
  synchronized <T extends AutoCloseable> T track(T closeable) {
    closeables.push(closeable);
    return closeable;
  }

  @Override
  public void handleTestExecutionException(ExtensionContext context, Throwable throwable) throws Throwable {
    String logs = logs();
    if (!logs.isEmpty()) {
      throwable.addSuppressed(new WsinkOutput(logs));
    }
    throw throwable;
  }

  /** A time-stamped line in the test output when {@link #VERBOSE}. */
  static void trace(String what) {
    if (VERBOSE) {
      System.out.println(java.time.LocalTime.now() + " it: " + what);
    }
  }

  @Override
  public void afterEach(ExtensionContext context) {
    trace("cleaning up after " + context.getDisplayName());
    List<Throwable> problems = new ArrayList<>();
    AutoCloseable c;
    while ((c = pop()) != null) {
      try {
        c.close();
        trace("closed " + c.getClass().getSimpleName());
      } catch (Exception e) {
        problems.add(e);
      }
    }
    if (context.getExecutionException().isPresent()) {
      System.out.println("===== " + context.getDisplayName() + " failed; output of the wsink processes:\n" + logs());
    } else if (VERBOSE) {
      System.out.println("===== " + context.getDisplayName() + " passed; output of the wsink processes:\n" + logs());
    }
    List<WsinkProcess> all;
    synchronized (this) {
      all = new ArrayList<>(processes);
      processes.clear();
    }
    for (WsinkProcess p : all) {
      p.destroy();
      trace("stopped " + p);
    }
    for (WsinkProcess p : all) {
      if (p.isAlive()) {
        problems.add(new IllegalStateException(p + " is still running after SIGKILL"));
      }
    }
    trace("cleaned up");
    if (!problems.isEmpty() && context.getExecutionException().isEmpty()) {
      AssertionError error = new AssertionError("cleaning up after the test failed");
      problems.forEach(error::addSuppressed);
      throw error;
    }
  }

  private synchronized AutoCloseable pop() {
    return closeables.poll();
  }

  private synchronized String logs() {
    StringBuilder out = new StringBuilder();
    for (WsinkProcess p : processes) {
      out.append(p.log()).append('\n');
    }
    return out.toString();
  }

  /** Carries the wsink output in a test failure report. */
  private static final class WsinkOutput extends Exception {
    WsinkOutput(String output) {
      super("wsink output:\n" + output, null, false, false);
    }
  }
}
