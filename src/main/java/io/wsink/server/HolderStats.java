package io.wsink.server;

/**
 * Delivery figures of one holder's frames on its endpoint.
 *
 * @param dropped      frames of this holder dropped by a client's overflow policy
 * @param disconnected clients closed with 1008 because they fell behind ({@code overflow: disconnect})
 */
public record HolderStats(int clients, long dropped, long disconnected) {
}
