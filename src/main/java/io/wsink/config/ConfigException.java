package io.wsink.config;

/**
 * A configuration problem that stops start-up. The message is always one line,
 * {@code <origin>: <key>: <problem>}, e.g.
 * {@code conf/wsink.yaml: rest.port: must be an integer from 0 to 65535, got 70000}, so that it can be printed as is.
 */
public class ConfigException extends RuntimeException {

  private final String origin;
  private final String key;
  private final String problem;

  /**
   * @param origin where the value came from: a file path, {@code environment WSINK__REST__PORT}, …
   * @param key    the dotted key in canonical spelling ({@code rest.port}), or a position in the file for syntax errors
   * @param problem what is wrong, for a human
   */
  public ConfigException(String origin, String key, String problem) {
    this(origin, key, problem, null);
  }

  public ConfigException(String origin, String key, String problem, Throwable cause) {
    super(oneLine(origin) + ": " + oneLine(key) + ": " + oneLine(problem), cause);
    this.origin = origin;
    this.key = key;
    this.problem = problem;
  }

  public String origin() {
    return origin;
  }

  public String key() {
    return key;
  }

  public String problem() {
    return problem;
  }

  // Callers print the message as one log line; a stray newline (from a YAML key or a library message) must not split it.
  private static String oneLine(String s) {
    return s == null ? "" : s.strip().replaceAll("\\s*[\\r\\n]+\\s*", " ");
  }
}
