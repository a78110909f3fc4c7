package io.wsink.bench;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;

import java.util.concurrent.Callable;

/** Runs a task on a given Vert.x context (an event loop) from any thread, so that state confined to it stays so. */
final class OnContext {

  private OnContext() {
  }

  static <T> Future<T> call(Context context, Callable<T> task) {
    Promise<T> result = Promise.promise();
    context.runOnContext(v -> {
      try {
        result.complete(task.call());
      } catch (Exception e) {
        result.fail(e);
      }
    });
    return result.future();
  }
}
