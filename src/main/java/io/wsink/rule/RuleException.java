package io.wsink.rule;

/** A rule definition that cannot be accepted; the message names what is wrong and what would be accepted. */
public final class RuleException extends RuntimeException {
  public RuleException(String message) {
    super(message, null, false, false);
  }
}
