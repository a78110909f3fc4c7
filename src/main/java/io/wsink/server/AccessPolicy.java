package io.wsink.server;

import io.netty.handler.codec.http.QueryStringDecoder;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.wsink.BearerTokens;
import io.wsink.config.DataServerSettings;

import java.util.List;
import java.util.Locale;

/**
 * Who may talk to the data server (§8): the {@code allowedOrigins} and {@code tokens} checks, made on the request
 * head, before any upgrade. Immutable.
 *
 * <p>A request without an {@code Origin} header passes the origin check: browsers always send one on a WebSocket
 * upgrade, so its absence means a non-browser client, which could forge any origin anyway (Gorilla's and the ws
 * library's default too). The origin check protects browser users from pages of other sites; tokens authenticate.
 */
final class AccessPolicy {

  /** The query parameter that may carry a token, for clients that cannot set headers (browsers). */
  static final String TOKEN_PARAMETER = "token";

  private final List<String> allowedOrigins;
  private final BearerTokens tokens;

  AccessPolicy(DataServerSettings settings) {
    this.allowedOrigins = settings.allowedOrigins();
    this.tokens = BearerTokens.of(settings.tokens());
  }

  /**
   * @param query the raw query string, or null
   * @return why the request is refused, or null when it may go on
   */
  Refusal check(MultiMap headers, String query) {
    if (!originAllowed(headers.getAll(HttpHeaders.ORIGIN))) {
      return Refusal.ORIGIN;
    }
    if (!tokens.isEmpty() && !presentsToken(headers, query)) {
      return Refusal.TOKEN;
    }
    return null;
  }

  private boolean originAllowed(List<String> origins) {
    if (allowedOrigins.isEmpty()) {
      return true;
    }
    // the configured origins are kept in lower case: scheme and host compare case-insensitively
    return origins.stream().allMatch(origin -> allowedOrigins.contains(origin.toLowerCase(Locale.ROOT)));
  }

  /** Every presented candidate is checked (each in constant time), so timing does not tell which one matched. */
  private boolean presentsToken(MultiMap headers, String query) {
    boolean accepted = tokens.accepts(BearerTokens.fromAuthorization(headers.get(HttpHeaders.AUTHORIZATION)));
    for (String candidate : queryTokens(query)) {
      accepted |= tokens.accepts(candidate);
    }
    return accepted;
  }

  private static List<String> queryTokens(String query) {
    if (query == null || query.isEmpty()) {
      return List.of();
    }
    try {
      return new QueryStringDecoder(query, false).parameters().getOrDefault(TOKEN_PARAMETER, List.of());
    } catch (IllegalArgumentException malformedEscape) {
      return List.of();
    }
  }
}
