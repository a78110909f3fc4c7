package io.wsink.pipeline.template;

import io.wsink.pipeline.template.Lexer.Item;
import io.wsink.pipeline.template.Lexer.Type;
import io.wsink.pipeline.template.Node.ActionNode;
import io.wsink.pipeline.template.Node.BoolNode;
import io.wsink.pipeline.template.Node.BranchKind;
import io.wsink.pipeline.template.Node.BranchNode;
import io.wsink.pipeline.template.Node.BreakNode;
import io.wsink.pipeline.template.Node.ChainNode;
import io.wsink.pipeline.template.Node.CommandNode;
import io.wsink.pipeline.template.Node.ContinueNode;
import io.wsink.pipeline.template.Node.DotNode;
import io.wsink.pipeline.template.Node.ElseNode;
import io.wsink.pipeline.template.Node.EndNode;
import io.wsink.pipeline.template.Node.FieldNode;
import io.wsink.pipeline.template.Node.IdentifierNode;
import io.wsink.pipeline.template.Node.ListNode;
import io.wsink.pipeline.template.Node.NilNode;
import io.wsink.pipeline.template.Node.NumberNode;
import io.wsink.pipeline.template.Node.PipeNode;
import io.wsink.pipeline.template.Node.StringNode;
import io.wsink.pipeline.template.Node.TemplateNode;
import io.wsink.pipeline.template.Node.TextNode;
import io.wsink.pipeline.template.Node.VariableNode;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Builds the tree of one template (and of each {@code {{define}}}/{@code {{block}}} inside it) with the algorithm
 * of Go's text/template/parse: the same three-item look-ahead, so that errors name the same item and line.
 */
final class Parser {

  /** The limit on nested parentheses; Go allows 10000, which the JVM stack does not. */
  private static final int MAX_STACK_DEPTH = 1000;

  private final Lexer lex;
  private String name;
  private final Map<String, ListNode> treeSet;
  private final Item[] token = new Item[3];
  private int peekCount;
  private final List<String> vars = new ArrayList<>(List.of("$"));
  private int actionLine;
  private int rangeDepth;
  private int stackDepth;
  private ListNode root;

  private Parser(Lexer lex, String name, Map<String, ListNode> treeSet) {
    this.lex = lex;
    this.name = name;
    this.treeSet = treeSet;
  }

  /** Parses {@code text} as the template {@code name}; defined templates land in {@code treeSet} too. */
  static void parse(String name, String text, Map<String, ListNode> treeSet) {
    Parser p = new Parser(new Lexer(text), name, treeSet);
    p.parse();
    p.add();
  }

  // ---- errors

  private TemplateException errorf(String message) {
    int line = token[0] == null ? 1 : token[0].line();
    throw new TemplateException("template: " + GoTemplate.NAME + ":" + line + ": " + message);
  }

  private void unexpected(Item item, String context) {
    if (item.type() == Type.ERROR) {
      String extra = "";
      if (actionLine != 0 && actionLine != item.line()) {
        extra = " in action started at " + GoTemplate.NAME + ":" + actionLine;
        if (item.val().endsWith(" action")) {
          extra = extra.substring(" in action".length()); // avoid "action in action"
        }
      }
      throw errorf(item.val() + extra);
    }
    throw errorf("unexpected " + item + " in " + context);
  }

  // ---- token buffer

  private Item next() {
    if (peekCount > 0) {
      peekCount--;
    } else {
      token[0] = lex.nextItem();
    }
    return token[peekCount];
  }

  private void backup() {
    peekCount++;
  }

  private void backup2(Item t1) {
    token[1] = t1;
    peekCount = 2;
  }

  private void backup3(Item t2, Item t1) {
    token[1] = t1;
    token[2] = t2;
    peekCount = 3;
  }

  private Item peek() {
    if (peekCount > 0) {
      return token[peekCount - 1];
    }
    peekCount = 1;
    token[0] = lex.nextItem();
    return token[0];
  }

  private Item nextNonSpace() {
    Item item;
    do {
      item = next();
    } while (item.type() == Type.SPACE);
    return item;
  }

  private Item peekNonSpace() {
    Item item = nextNonSpace();
    backup();
    return item;
  }

  private Item expect(Type expected, String context) {
    Item item = nextNonSpace();
    if (item.type() != expected) {
      unexpected(item, context);
    }
    return item;
  }

  // ---- grammar

  private void add() {
    ListNode existing = treeSet.get(name);
    if (existing == null || existing.isEmptyTree()) {
      treeSet.put(name, root);
      return;
    }
    if (!root.isEmptyTree()) {
      throw errorf("template: multiple definition of template " + GoStrings.quote(name));
    }
  }

  private void parse() {
    root = new ListNode(peek().pos());
    while (peek().type() != Type.EOF) {
      if (peek().type() == Type.LEFT_DELIM) {
        Item delim = next();
        if (nextNonSpace().type() == Type.DEFINE) {
          new Parser(lex, "definition", treeSet).parseDefinition();
          continue;
        }
        backup2(delim);
      }
      Node n = textOrAction();
      if (n instanceof EndNode || n instanceof ElseNode) {
        throw errorf("unexpected " + n);
      }
      root.nodes.add(n);
    }
  }

  private void parseDefinition() {
    String context = "define clause";
    Item nameItem = nextNonSpace();
    if (nameItem.type() != Type.STRING && nameItem.type() != Type.RAW_STRING) {
      unexpected(nameItem, context);
    }
    name = unquote(nameItem.val());
    expect(Type.RIGHT_DELIM, context);
    List<Node> end = new ArrayList<>(1);
    root = itemList(end);
    if (!(end.get(0) instanceof EndNode)) {
      throw errorf("unexpected " + end.get(0) + " in " + context);
    }
    add();
  }

  /** textOrAction* up to {{end}} or {{else}}, which is returned in {@code end}. */
  private ListNode itemList(List<Node> end) {
    ListNode list = new ListNode(peekNonSpace().pos());
    while (peekNonSpace().type() != Type.EOF) {
      Node n = textOrAction();
      if (n instanceof EndNode || n instanceof ElseNode) {
        end.add(n);
        return list;
      }
      list.nodes.add(n);
    }
    throw errorf("unexpected EOF");
  }

  private Node textOrAction() {
    Item item = nextNonSpace();
    switch (item.type()) {
      case TEXT:
        return new TextNode(item.pos(), item.val());
      case LEFT_DELIM:
        actionLine = item.line();
        try {
          return action();
        } finally {
          actionLine = 0;
        }
      default:
        unexpected(item, "input");
        return null;
    }
  }

  private Node action() {
    Item item = nextNonSpace();
    switch (item.type()) {
      case BLOCK:
        return blockControl();
      case BREAK:
        return breakControl(item, "{{break}}");
      case CONTINUE:
        return breakControl(item, "{{continue}}");
      case ELSE:
        return elseControl();
      case END:
        return new EndNode(expect(Type.RIGHT_DELIM, "end").pos());
      case IF:
        return branch(BranchKind.IF);
      case RANGE:
        return branch(BranchKind.RANGE);
      case TEMPLATE:
        return templateControl();
      case WITH:
        return branch(BranchKind.WITH);
      default:
        break;
    }
    backup();
    Item first = peek();
    // variables declared here live until the enclosing {{end}}
    return new ActionNode(first.pos(), first.line(), pipeline("command", Type.RIGHT_DELIM));
  }

  private Node breakControl(Item keyword, String what) {
    Item item = nextNonSpace();
    if (item.type() != Type.RIGHT_DELIM) {
      unexpected(item, what);
    }
    if (rangeDepth == 0) {
      throw errorf(what + " outside {{range}}");
    }
    return what.equals("{{break}}") ? new BreakNode(keyword.pos(), keyword.line())
      : new ContinueNode(keyword.pos(), keyword.line());
  }

  private Node elseControl() {
    Item peek = peekNonSpace();
    if (peek.type() == Type.IF || peek.type() == Type.WITH) {
      // "{{else if ...": the if is parsed as the only node of the else list
      return new ElseNode(peek.pos(), peek.line());
    }
    Item item = expect(Type.RIGHT_DELIM, "else");
    return new ElseNode(item.pos(), item.line());
  }

  private BranchNode branch(BranchKind kind) {
    String context = kind.name().toLowerCase();
    int mark = vars.size();
    try {
      PipeNode pipe = pipeline(context, Type.RIGHT_DELIM);
      if (kind == BranchKind.RANGE) {
        rangeDepth++;
      }
      List<Node> end = new ArrayList<>(1);
      ListNode list = itemList(end);
      if (kind == BranchKind.RANGE) {
        rangeDepth--;
      }
      ListNode elseList = null;
      if (end.get(0) instanceof ElseNode elseNode) {
        if (kind == BranchKind.IF && peek().type() == Type.IF) {
          next();
          elseList = new ListNode(elseNode.pos());
          elseList.nodes.add(branch(BranchKind.IF));
        } else if (kind == BranchKind.WITH && peek().type() == Type.WITH) {
          next();
          elseList = new ListNode(elseNode.pos());
          elseList.nodes.add(branch(BranchKind.WITH));
        } else {
          end.clear();
          elseList = itemList(end);
          if (!(end.get(0) instanceof EndNode)) {
            throw errorf("expected end; found " + end.get(0));
          }
        }
      }
      return new BranchNode(kind, pipe.pos, pipe.line, pipe, list, elseList);
    } finally {
      vars.subList(mark, vars.size()).clear();
    }
  }

  private Node blockControl() {
    String context = "block clause";
    Item item = nextNonSpace();
    String blockName = templateName(item, context);
    PipeNode pipe = pipeline(context, Type.RIGHT_DELIM);
    Parser block = new Parser(lex, blockName, treeSet);
    List<Node> end = new ArrayList<>(1);
    block.root = block.itemList(end);
    if (!(end.get(0) instanceof EndNode)) {
      throw errorf("unexpected " + end.get(0) + " in " + context);
    }
    block.add();
    return new TemplateNode(item.pos(), item.line(), blockName, pipe);
  }

  private Node templateControl() {
    String context = "template clause";
    Item item = nextNonSpace();
    String templateName = templateName(item, context);
    PipeNode pipe = null;
    if (nextNonSpace().type() != Type.RIGHT_DELIM) {
      backup();
      pipe = pipeline(context, Type.RIGHT_DELIM);
    }
    return new TemplateNode(item.pos(), item.line(), templateName, pipe);
  }

  private String templateName(Item item, String context) {
    if (item.type() != Type.STRING && item.type() != Type.RAW_STRING) {
      unexpected(item, context);
    }
    return unquote(item.val());
  }

  private String unquote(String quoted) {
    try {
      return GoStrings.unquote(quoted);
    } catch (GoStrings.SyntaxError e) {
      throw errorf(e.getMessage());
    }
  }

  /** declarations? command ('|' command)* */
  private PipeNode pipeline(String context, Type end) {
    Item first = peekNonSpace();
    PipeNode pipe = new PipeNode(first.pos(), first.line());
    decls:
    while (true) {
      Item v = peekNonSpace();
      if (v.type() != Type.VARIABLE) {
        break;
      }
      next();
      // "$x foo" needs three items of look-ahead to tell an argument from a declaration
      Item afterVariable = peek();
      Item following = peekNonSpace();
      if (following.type() == Type.ASSIGN || following.type() == Type.DECLARE) {
        pipe.isAssign = following.type() == Type.ASSIGN;
        nextNonSpace();
        pipe.decl.add(new VariableNode(v.pos(), v.val()));
        vars.add(v.val());
      } else if (following.type() == Type.CHAR && following.val().equals(",")) {
        nextNonSpace();
        pipe.decl.add(new VariableNode(v.pos(), v.val()));
        vars.add(v.val());
        if (context.equals("range") && pipe.decl.size() < 2) {
          Type t = peekNonSpace().type();
          if (t == Type.VARIABLE || t == Type.RIGHT_DELIM || t == Type.RIGHT_PAREN) {
            continue decls; // the second variable of a range
          }
          throw errorf("range can only initialize variables");
        }
        throw errorf("too many declarations in " + context);
      } else if (afterVariable.type() == Type.SPACE) {
        backup3(v, afterVariable);
      } else {
        backup2(v);
      }
      break;
    }
    while (true) {
      Item item = nextNonSpace();
      if (item.type() == end) {
        checkPipeline(pipe, context);
        return pipe;
      }
      switch (item.type()) {
        case BOOL, CHAR_CONSTANT, COMPLEX, DOT, FIELD, IDENTIFIER, NUMBER, NIL, RAW_STRING, STRING, VARIABLE,
          LEFT_PAREN -> {
          backup();
          pipe.cmds.add(command());
        }
        default -> unexpected(item, context);
      }
    }
  }

  private void checkPipeline(PipeNode pipe, String context) {
    if (pipe.cmds.isEmpty()) {
      throw errorf("missing value for " + context);
    }
    for (int i = 1; i < pipe.cmds.size(); i++) {
      Node first = pipe.cmds.get(i).args.get(0);
      if (first instanceof BoolNode || first instanceof DotNode || first instanceof NilNode
        || first instanceof NumberNode || first instanceof StringNode) {
        throw errorf("non executable command in pipeline stage " + (i + 1));
      }
    }
  }

  /** operand (space operand)*, up to '|', ')' or the right delimiter. */
  private CommandNode command() {
    CommandNode cmd = new CommandNode(peekNonSpace().pos());
    while (true) {
      peekNonSpace();
      Node operand = operand();
      if (operand != null) {
        cmd.args.add(operand);
      }
      Item item = next();
      if (item.type() == Type.SPACE) {
        continue;
      }
      if (item.type() == Type.RIGHT_DELIM || item.type() == Type.RIGHT_PAREN) {
        backup();
      } else if (item.type() != Type.PIPE) {
        unexpected(item, "operand");
      }
      break;
    }
    if (cmd.args.isEmpty()) {
      throw errorf("empty command");
    }
    return cmd;
  }

  /** term .Field* */
  private Node operand() {
    Node node = term();
    if (node == null) {
      return null;
    }
    if (peek().type() == Type.FIELD) {
      ChainNode chain = new ChainNode(peek().pos(), node);
      while (peek().type() == Type.FIELD) {
        chain.fields.add(next().val().substring(1));
      }
      // like Go, a field or variable absorbs the chain (and takes its position)
      if (node instanceof FieldNode) {
        return new FieldNode(chain.pos, chain.toString());
      }
      if (node instanceof VariableNode) {
        return new VariableNode(chain.pos, chain.toString());
      }
      if (node instanceof BoolNode || node instanceof StringNode || node instanceof NumberNode
        || node instanceof NilNode || node instanceof DotNode) {
        throw errorf("unexpected . after term " + GoStrings.quote(node.toString()));
      }
      return chain;
    }
    return node;
  }

  private Node term() {
    Item item = nextNonSpace();
    switch (item.type()) {
      case IDENTIFIER:
        Funcs.checkDefined(item.val(), this::errorf);
        return new IdentifierNode(item.pos(), item.val());
      case DOT:
        return new DotNode(item.pos());
      case NIL:
        return new NilNode(item.pos());
      case VARIABLE:
        return useVar(item.pos(), item.val());
      case FIELD:
        return new FieldNode(item.pos(), item.val());
      case BOOL:
        return new BoolNode(item.pos(), item.val().equals("true"));
      case CHAR_CONSTANT:
      case COMPLEX:
      case NUMBER:
        return number(item);
      case LEFT_PAREN:
        if (stackDepth >= MAX_STACK_DEPTH) {
          throw errorf("max expression depth exceeded");
        }
        stackDepth++;
        try {
          return pipeline("parenthesized pipeline", Type.RIGHT_PAREN);
        } finally {
          stackDepth--;
        }
      case STRING:
      case RAW_STRING:
        return new StringNode(item.pos(), item.val(), unquote(item.val()));
      default:
        backup();
        return null;
    }
  }

  private Node useVar(int pos, String text) {
    VariableNode v = new VariableNode(pos, text);
    if (!vars.contains(v.ident().get(0))) {
      throw errorf("undefined variable " + GoStrings.quote(v.ident().get(0)));
    }
    return v;
  }

  /** Go's parse.NumberNode rules: the text decides which of int, uint and float represent the constant. */
  private NumberNode number(Item item) {
    String text = item.val();
    if (item.type() == Type.CHAR_CONSTANT) {
      int r;
      try {
        r = GoStrings.unquoteChar(text);
      } catch (GoStrings.SyntaxError e) {
        throw errorf(e.getMessage());
      } catch (GoStrings.MalformedChar e) {
        throw errorf("malformed character constant: " + text);
      }
      return new NumberNode(item.pos(), text, true, true, true, r, r);
    }
    if (item.type() == Type.COMPLEX || text.endsWith("i")) {
      // Go has complex constants; nothing in a sink template needs them
      throw errorf("complex constant " + text + " is not supported");
    }
    boolean signed = text.startsWith("+") || text.startsWith("-");
    BigInteger u = signed ? null : GoNumbers.parseInteger(text); // ParseUint takes no sign
    boolean isUint = u != null && GoNumbers.fitsUint64(u);
    BigInteger i = GoNumbers.parseInteger(text);
    boolean isInt = i != null && GoNumbers.fitsInt64(i);
    long int64 = isInt ? i.longValue() : 0;
    if (isInt && int64 == 0) {
      isUint = true; // "-0"
    }
    boolean isFloat = false;
    double float64 = 0;
    if (isInt) {
      isFloat = true;
      float64 = int64;
    } else if (isUint) {
      isFloat = true;
      float64 = u.doubleValue();
    } else {
      Double f = GoNumbers.parseFloat(text);
      if (f != null) {
        if (!containsAny(text, ".eEpP")) {
          throw errorf("integer overflow: " + GoStrings.quote(text));
        }
        isFloat = true;
        float64 = f;
        if (f == Math.rint(f) && f >= -0x1p63 && f < 0x1p63) {
          isInt = true;
          int64 = (long) (double) f;
        }
        if (f == Math.rint(f) && f >= 0 && f < 0x1p64) {
          isUint = true;
        }
      }
    }
    if (!isInt && !isUint && !isFloat) {
      throw errorf("illegal number syntax: " + GoStrings.quote(text));
    }
    return new NumberNode(item.pos(), text, isInt, isUint, isFloat, int64, float64);
  }

  static boolean containsAny(String s, String chars) {
    for (int k = 0; k < s.length(); k++) {
      if (chars.indexOf(s.charAt(k)) >= 0) {
        return true;
      }
    }
    return false;
  }
}
