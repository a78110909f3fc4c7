package io.wsink.rule;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import io.wsink.Addresses;
import io.wsink.sink.AckFailure;

import java.util.ArrayList;
import java.util.List;

/**
 * The input of a rule with several actions or sink instances: consumes the rule's {@code from} address and hands every
 * message to each action once, so that {@code send} and {@code request} reach all actions, as {@code publish} does, and
 * no instance of an action sees a message another instance of it got (the event bus picks one, round-robin). A request
 * is acknowledged once every action has acknowledged it, with the sum of the sockets reached. (A rule with one action
 * of one instance needs no such hop: its sink verticle consumes {@code from} itself.)
 */
final class RuleInputVerticle extends VerticleBase {

  private static final DeliveryOptions LOCAL = new DeliveryOptions().setLocalOnly(true);

  private final String ruleId;
  private final String from;
  private final int actions;

  RuleInputVerticle(String ruleId, String from, int actions) {
    this.ruleId = ruleId;
    this.from = from;
    this.actions = actions;
  }

  @Override
  public Future<?> start() {
    return vertx.eventBus().consumer(from, this::dispatch).completion();
  }

  private void dispatch(Message<Object> msg) {
    if (msg.replyAddress() == null) {
      for (int i = 0; i < actions; i++) {
        vertx.eventBus().send(Addresses.actionInput(ruleId, i), msg.body(), LOCAL);
      }
      return;
    }
    List<Future<Message<JsonObject>>> acks = new ArrayList<>(actions);
    for (int i = 0; i < actions; i++) {
      acks.add(vertx.eventBus().request(Addresses.actionInput(ruleId, i), msg.body(), LOCAL));
    }
    Future.join(acks).onComplete(ar -> {
      int delivered = 0;
      for (Future<Message<JsonObject>> ack : acks) {
        if (ack.failed()) {
          int code = ack.cause() instanceof ReplyException re ? re.failureCode() : AckFailure.NOT_DELIVERED;
          msg.fail(code, ack.cause().getMessage());
          return;
        }
        delivered += ack.result().body().getInteger("delivered", 0);
      }
      msg.reply(new JsonObject().put("delivered", delivered));
    });
  }
}
