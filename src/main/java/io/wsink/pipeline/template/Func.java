package io.wsink.pipeline.template;

import java.time.Clock;

/**
 * A template function with its Go signature: the evaluator checks the argument count, converts constants and
 * validates values against the parameter types exactly as text/template does with reflection.
 *
 * @param params   the fixed parameters
 * @param variadic the type of the trailing {@code ...} parameter, or null
 * @param builtin  text/template's own function (and/or short-circuit; call gets the callee's name)
 */
record Func(String name, Func.Arg[] params, Func.Arg variadic, boolean builtin, Body body) {

  /** Go parameter types that the functions wsink implements use. */
  enum Arg {
    /** interface{}: anything; a missing value arrives as nil (null). */
    ANY("interface {}"),
    /** reflect.Value (the builtins): anything, a missing value stays {@link Values#MISSING}. */
    VALUE("reflect.Value"),
    STRING("string"),
    INT("int"),
    FLOAT64("float64"),
    BOOL("bool"),
    MAP("map[string]interface {}");

    final String goName;

    Arg(String goName) {
      this.goName = goName;
    }

    boolean canBeNil() {
      return this == ANY || this == VALUE || this == MAP;
    }
  }

  @FunctionalInterface
  interface Body {
    /** @throws Failure with Go's text; the evaluator reports it as "error calling NAME: text" */
    Object call(Clock clock, Object[] args);
  }

  /** The error a Go template function returns (or the panic it raises). */
  static final class Failure extends RuntimeException {
    Failure(String message) {
      super(message, null, false, false);
    }
  }

  static Func of(String name, Body body, Arg... params) {
    return new Func(name, params, null, false, body);
  }

  static Func variadic(String name, Body body, Arg variadic, Arg... params) {
    return new Func(name, params, variadic, false, body);
  }
}
