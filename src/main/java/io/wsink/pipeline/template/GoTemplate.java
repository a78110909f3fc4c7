package io.wsink.pipeline.template;

import io.wsink.pipeline.template.Node.ListNode;

import java.time.Clock;
import java.util.HashMap;
import java.util.Map;

/**
 * An eKuiper {@code dataTemplate}: Go text/template with the sprig functions and eKuiper's {@code json} and
 * {@code base64}, rendering byte for byte what eKuiper renders. Parse once (at rule creation), execute per message;
 * an instance is immutable and safe to share between threads.
 */
public final class GoTemplate {

  /** eKuiper names its sink templates "sink"; Go puts the name in every error. */
  static final String NAME = "sink";

  private final String text;
  private final Map<String, ListNode> trees;
  private final Clock clock;

  private GoTemplate(String text, Map<String, ListNode> trees, Clock clock) {
    this.text = text;
    this.trees = trees;
    this.clock = clock;
  }

  /**
   * @throws TemplateException with the parse error and its position, e.g.
   *                           {@code template: sink:1: unexpected "}" in operand}
   */
  public static GoTemplate parse(String text) {
    Map<String, ListNode> trees = new HashMap<>();
    try {
      Parser.parse(NAME, text, trees);
    } catch (StackOverflowError e) {
      throw new TemplateException("template: " + NAME + ": nesting too deep");
    }
    return new GoTemplate(text, Map.copyOf(trees), Clock.systemDefaultZone());
  }

  /**
   * Renders with data = a row (Map/JsonObject) or a result set (List/JsonArray of rows).
   *
   * @throws TemplateException on an execution error (the message names the position and the problem)
   */
  public String execute(Object data) {
    try {
      return new Exec(this, clock).run(Values.root(data));
    } catch (StackOverflowError e) {
      throw new TemplateException("template: " + NAME + ": executing \"" + NAME + "\": nesting too deep");
    } catch (TemplateException e) {
      throw e;
    } catch (RuntimeException e) {
      // an execution error must stay an error of this message (the rule keeps running), whatever its cause
      throw new TemplateException("template: " + NAME + ": executing \"" + NAME + "\": " + e);
    }
  }

  /** The same template with another clock (and zone) for {@code now} and {@code date}; for tests. */
  GoTemplate withClock(Clock clock) {
    return new GoTemplate(text, trees, clock);
  }

  String text() {
    return text;
  }

  ListNode tree(String name) {
    return trees.get(name);
  }
}
