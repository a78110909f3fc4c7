package io.wsink.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * The line protocol between the orchestrator and its child processes. Children get commands on stdin, one per line,
 * and answer on stdout with lines that start with {@link #MARK}, so that log output on the same stream is told apart.
 * End of stdin means the orchestrator is gone, and the child exits: no benchmark process outlives the run.
 */
final class Proto {

  static final String MARK = "@@ ";

  /** Handles one command line; returns false to stop serving (after "exit"). */
  interface Commands {
    boolean handle(String command, String[] args) throws Exception;
  }

  private Proto() {
  }

  static synchronized void emit(String keyword, Object payload) {
    System.out.println(MARK + keyword + (payload == null ? "" : " " + payload));
    System.out.flush();
  }

  /**
   * Runs a child's main body; a failure is reported as an {@code ERROR} line (so that the orchestrator fails at once,
   * naming it) and ends the process with status 1, since Vert.x's non-daemon threads would otherwise keep it alive.
   */
  static void runMain(String program, Body body) {
    int status = 0;
    try {
      body.run();
    } catch (Throwable e) {
      e.printStackTrace();
      emit("ERROR", program + " failed: " + e);
      status = 1;
    }
    System.exit(status);
  }

  interface Body {
    void run() throws Exception;
  }

  /** Serves commands on the calling (non-Vert.x) thread until "exit" or end of stdin; a failing command is reported. */
  static void serve(Commands commands) {
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    try {
      for (String line; (line = in.readLine()) != null; ) {
        String[] words = line.trim().split("\\s+");
        if (words[0].isEmpty()) {
          continue;
        }
        String[] args = java.util.Arrays.copyOfRange(words, 1, words.length);
        try {
          if (!commands.handle(words[0], args)) {
            return;
          }
        } catch (Exception e) {
          emit("ERROR", words[0] + ": " + e);
        }
      }
    } catch (IOException e) {
      // stdin gone: same as exit
    }
  }
}
