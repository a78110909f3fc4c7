package io.wsink.config;

import java.util.List;

/** The management REST API: where it listens and which bearer tokens it accepts (empty: none needed). */
public record RestSettings(String ip, int port, List<String> tokens) {
  public RestSettings {
    tokens = List.copyOf(tokens);
  }

  /** Tokens are secrets: never in a log line, not even through toString. */
  @Override
  public String toString() {
    return "RestSettings[" + ip + ":" + port + ", tokens=" + tokens.size() + " (masked)]";
  }
}
