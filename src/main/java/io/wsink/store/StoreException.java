package io.wsink.store;

/**
 * The embedded store cannot be used. The message is one line that names the store file or directory and the
 * problem, e.g. {@code store file /x/data/wsink.db is not a SQLite database (file is not a database)}, so start-up
 * can print it as it is.
 */
public class StoreException extends RuntimeException {

  public StoreException(String message) {
    super(message);
  }

  public StoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
