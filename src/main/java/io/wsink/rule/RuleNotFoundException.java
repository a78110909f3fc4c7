package io.wsink.rule;

/** No rule has this id (REST: 404 with code 1002). */
public final class RuleNotFoundException extends RuntimeException {
  public RuleNotFoundException(String id) {
    super("rule " + Rule.abbreviate(id) + " is not found", null, false, false);
  }
}
