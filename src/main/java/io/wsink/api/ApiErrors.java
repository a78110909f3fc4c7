package io.wsink.api;

/** Every error code and fixed message the REST API answers with (§6), eKuiper's codes. */
public final class ApiErrors {

  private ApiErrors() {
  }

  /** Undefined / generic error. */
  public static final int GENERIC = 1000;
  /** Not found: HTTP 404. */
  public static final int NOT_FOUND = 1002;
  /** An error in a rule definition or operation. */
  public static final int RULE = 4000;

  public static final String ENDPOINT_MISSING = "Invalid body: endpoint should be defined";
  public static final String ENDPOINT_NO_SLASH = "websocket endpoint should start with /";

  public static String invalidBody(String why) {
    return "Invalid body: " + why;
  }

  public static String noRoute(String method, String path) {
    return "no such API: " + method + " " + path;
  }

  public static String noConsumer(String address) {
    return "no rule consumes the address " + address;
  }
}
