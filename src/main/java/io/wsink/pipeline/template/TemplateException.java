package io.wsink.pipeline.template;

/**
 * A template that does not parse, or an execution that fails. The message is Go's text/template wording with the
 * position, e.g. {@code template: sink:1: unexpected "}" in operand} or
 * {@code template: sink:1:2: executing "sink" at <lt 1 "a">: error calling lt: incompatible types for comparison}.
 */
public final class TemplateException extends RuntimeException {

  public TemplateException(String message) {
    // thrown per failing message at run time: no stack trace to fill
    super(message, null, false, false);
  }
}
