package io.wsink.server;

/**
 * What a server-mode endpoint path may be (§4.2, §8), checked wherever one comes in: a rule's {@code path} and a REST
 * registration. The data server matches the request path exactly as the client sent it, still percent-encoded, so an
 * endpoint is kept to the characters a client sends unencoded: one spelling per endpoint, nothing to decode, no
 * {@code %2F} slash or {@code ..} segment that means something else to a proxy than to wsink.
 */
public final class EndpointPath {

  /** Longer paths are refused: no client needs them, and every one of them is held in memory and in the store. */
  public static final int MAX_LENGTH = 1024;

  public static final String NO_SLASH = "websocket endpoint should start with /";
  private static final String ALLOWED = "letters, digits, / and - . _ ~ ! $ & ' ( ) * + , ; = : @";

  private EndpointPath() {
  }

  /** The reason {@code path} cannot be an endpoint, or null when it can. {@code path} is not null nor empty. */
  public static String problem(String path) {
    if (!path.startsWith("/")) {
      return NO_SLASH;
    }
    if (path.length() > MAX_LENGTH) {
      return "websocket endpoint is " + path.length() + " characters long; at most " + MAX_LENGTH + " are accepted";
    }
    int query = indexOfAny(path, "?#");
    if (query >= 0) {
      return "a websocket endpoint is a path without query or fragment: \"" + printable(path) + "\"";
    }
    for (int i = 0; i < path.length(); i++) {
      char c = path.charAt(i);
      if (!allowed(c)) {
        return "websocket endpoint \"" + printable(path) + "\" has " + describe(c) + " at position " + i + "; use "
          + ALLOWED + " (percent-encoding is not accepted)";
      }
    }
    for (String segment : path.substring(1).split("/", -1)) {
      if (segment.equals(".") || segment.equals("..")) {
        return "websocket endpoint \"" + path + "\" has a \"" + segment + "\" segment";
      }
    }
    if (path.contains("//")) {
      return "websocket endpoint \"" + path + "\" has an empty segment (//)";
    }
    return null;
  }

  /** RFC 3986 {@code pchar} without percent-encoding, and {@code /}. */
  private static boolean allowed(char c) {
    return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || "/-._~!$&'()*+,;=:@".indexOf(c) >= 0;
  }

  private static String describe(char c) {
    String code = String.format("U+%04X", (int) c);
    return Character.isISOControl(c) || Character.isWhitespace(c) ? "the character " + code
      : "the character '" + c + "' (" + code + ")";
  }

  private static int indexOfAny(String s, String chars) {
    for (int i = 0; i < s.length(); i++) {
      if (chars.indexOf(s.charAt(i)) >= 0) {
        return i;
      }
    }
    return -1;
  }

  /** For messages: control characters shown as ?, long paths cut. */
  private static String printable(String path) {
    String shown = path.replaceAll("\\p{Cntrl}", "?");
    return shown.length() > 80 ? shown.substring(0, 80) + "…" : shown;
  }
}
