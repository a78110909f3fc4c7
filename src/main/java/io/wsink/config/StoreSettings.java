package io.wsink.config;

/** The embedded store: the directory that holds {@code wsink.db}. Relative paths resolve against the working directory. */
public record StoreSettings(String dir) {
}
