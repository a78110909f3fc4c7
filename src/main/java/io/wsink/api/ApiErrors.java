package io.wsink.api;

import io.wsink.Addresses;

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
  public static final String UNAUTHORIZED = "missing or invalid bearer token (Authorization: Bearer <token>)";
  public static final String BAD_REQUEST = "bad request";
  public static final String INTERNAL = "internal error";
  public static final String REQUEST_LINE_TOO_LONG =
    "the request line is too long (at most 4096 bytes): rule ids and endpoints are short";
  public static final String HEADERS_TOO_LARGE = "the request headers are too large (at most 8192 bytes)";
  public static final String MALFORMED_REQUEST = "malformed HTTP request";
  public static final String METRICS_OFF = "metrics are off on this node (metrics.enabled: false)";
  public static final String PUBLISH_JSON_NOT_ROWS =
    "Invalid body: an application/json body must be an object (a row) or an array (rows)";

  public static String sinkNotProvided(String type) {
    return "sink " + type + " is not provided by wsink; only websocket is";
  }

  public static String methodNotAllowed(String method, String path) {
    return "method " + method + " is not allowed on " + path;
  }

  public static String bodyTooLarge(long limit) {
    return "the request body is larger than " + limit + " bytes";
  }

  public static String ackTimeout(String address, long ms) {
    return "no acknowledgement from " + address + " within " + ms + " ms";
  }

  public static String notDelivered(int failureCode, String reason) {
    return "not delivered (code " + failureCode + "): " + reason;
  }

  public static String invalidBody(String why) {
    return "Invalid body: " + why;
  }

  public static String noRoute(String method, String path) {
    return "no such API: " + method + " " + path;
  }

  public static String internalAddress(String address) {
    return "cannot publish to \"" + address + "\": addresses starting with " + Addresses.INTERNAL_PREFIX
      + " are wsink's own; publish to a rule's from address";
  }

  public static String noConsumer(String address) {
    return "no rule consumes the address " + address;
  }
}
