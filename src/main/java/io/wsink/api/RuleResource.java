package io.wsink.api;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.wsink.rule.RuleException;
import io.wsink.rule.RuleManager;

/** §6.1: {@code /rules}. */
final class RuleResource {

  private final RuleManager rules;

  RuleResource(RuleManager rules) {
    this.rules = rules;
  }

  void mount(Router router) {
    router.post("/rules/validate").handler(this::validate);
    router.post("/rules").handler(this::create);
    router.get("/rules").handler(ctx -> Responses.reply(ctx, rules.list(), list -> Responses.json(ctx, 200, list)));
    router.get("/rules/:id").handler(ctx -> Responses.reply(ctx, rules.get(id(ctx)), r -> Responses.json(ctx, 200, r)));
    router.put("/rules/:id").handler(this::update);
    router.delete("/rules/:id").handler(ctx -> Responses.reply(ctx, rules.delete(id(ctx)),
      v -> Responses.text(ctx, 200, "Rule " + id(ctx) + " is dropped.")));
    router.post("/rules/:id/start").handler(ctx -> Responses.reply(ctx, rules.start(id(ctx)),
      v -> Responses.text(ctx, 200, "Rule " + id(ctx) + " was started.")));
    router.post("/rules/:id/stop").handler(ctx -> Responses.reply(ctx, rules.stop(id(ctx)),
      v -> Responses.text(ctx, 200, "Rule " + id(ctx) + " was stopped.")));
    router.post("/rules/:id/restart").handler(ctx -> Responses.reply(ctx, rules.restart(id(ctx)),
      v -> Responses.text(ctx, 200, "Rule " + id(ctx) + " was restarted.")));
    router.get("/rules/:id/status").handler(ctx -> Responses.reply(ctx, rules.status(id(ctx)),
      s -> Responses.json(ctx, 200, s)));
  }

  private static String id(RoutingContext ctx) {
    return ctx.pathParam("id");
  }

  private void create(RoutingContext ctx) {
    Responses.reply(ctx, rules.create(Responses.jsonObject(ctx, true)),
      id -> Responses.text(ctx, 201, "Rule " + id + " was created successfully."));
  }

  private void update(RoutingContext ctx) {
    Responses.reply(ctx, rules.update(id(ctx), Responses.jsonObject(ctx, true)),
      v -> Responses.text(ctx, 200, "Rule " + id(ctx) + " was updated successfully."));
  }

  private void validate(RoutingContext ctx) {
    rules.validate(Responses.jsonObject(ctx, true)).onComplete(ar -> {
      if (ar.succeeded()) {
        Responses.json(ctx, 200, new JsonObject().put("valid", true));
      } else if (ar.cause() instanceof RuleException e) {
        Responses.error(ctx, 422, ApiErrors.RULE, e.getMessage());
      } else {
        ctx.fail(ar.cause());
      }
    });
  }
}
