package io.wsink.store;

import io.vertx.core.json.JsonArray;

/**
 * One page of a sink's disk cache: the payloads it could not deliver, in order.
 *
 * @param page  the page's place in the sink's cache (pages are resent in ascending order)
 * @param items the cached payloads, each encoded as the sink stores it
 */
public record CachePage(long page, JsonArray items) {
}
