package io.wsink.api;

/** A REST failure with its HTTP status and eKuiper error code; one failure handler turns it into the error envelope. */
public final class ApiException extends RuntimeException {

  private final int status;
  private final int code;

  public ApiException(int status, int code, String message) {
    super(message, null, false, false);
    this.status = status;
    this.code = code;
  }

  public static ApiException badRequest(int code, String message) {
    return new ApiException(400, code, message);
  }

  public int status() {
    return status;
  }

  public int code() {
    return code;
  }
}
