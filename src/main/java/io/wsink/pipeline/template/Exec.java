package io.wsink.pipeline.template;

import io.wsink.pipeline.template.Func.Arg;
import io.wsink.pipeline.template.Node.ActionNode;
import io.wsink.pipeline.template.Node.BoolNode;
import io.wsink.pipeline.template.Node.BranchKind;
import io.wsink.pipeline.template.Node.BranchNode;
import io.wsink.pipeline.template.Node.BreakNode;
import io.wsink.pipeline.template.Node.ChainNode;
import io.wsink.pipeline.template.Node.CommandNode;
import io.wsink.pipeline.template.Node.ContinueNode;
import io.wsink.pipeline.template.Node.DotNode;
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

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One execution of a template: walks the tree as Go's text/template exec.go does, with its variable scoping, its
 * truth rules and its error texts. Not shared between threads; {@link GoTemplate#execute} makes one per call.
 *
 * <p>Values follow {@link Values}. Besides the value, the evaluator tracks whether it is an element of an
 * {@code interface{}} container ("boxed"): Go names such a receiver {@code interface {}} in field errors.
 */
final class Exec {

  /** Go's missingVal: no value is piped into the command. Distinct from {@link Values#MISSING}. */
  private static final Object NO_FINAL = new Object();

  /** Nesting limit for {{template}} calls; Go allows 100000, the JVM stack does not. */
  private static final int MAX_EXEC_DEPTH = 1000;

  private static final class Signal extends RuntimeException {
    Signal() {
      super(null, null, false, false);
    }
  }

  private static final Signal BREAK = new Signal();
  private static final Signal CONTINUE = new Signal();

  private static final class Var {
    final String name;
    Object value;
    boolean boxed;

    Var(String name, Object value, boolean boxed) {
      this.name = name;
      this.value = value;
      this.boxed = boxed;
    }
  }

  private final GoTemplate tmpl;
  private final Clock clock;
  private final StringBuilder out = new StringBuilder(256);
  private String name = GoTemplate.NAME;
  private Node node;
  private List<Var> vars = new ArrayList<>();
  private int depth;
  /** Whether the value evalField just returned is an element of an interface{} map. */
  private boolean fieldBoxed;

  Exec(GoTemplate tmpl, Clock clock) {
    this.tmpl = tmpl;
    this.clock = clock;
  }

  String run(Object root) {
    vars.add(new Var("$", root, false));
    walk(root, false, tmpl.tree(GoTemplate.NAME));
    return out.toString();
  }

  // ---- errors

  private TemplateException errorf(String message) {
    if (node == null) {
      throw new TemplateException("template: " + name + ": " + message);
    }
    String text = tmpl.text();
    int pos = node.pos();
    int lineStart = text.lastIndexOf('\n', pos - 1) + 1;
    int line = 1;
    for (int i = 0; i < lineStart; i++) {
      if (text.charAt(i) == '\n') {
        line++;
      }
    }
    // Go reports the column in bytes, and the byte offset itself on the first line
    int column = GoStrings.utf8Len(text, lineStart, pos);
    String location = GoTemplate.NAME + ":" + line + ":" + column;
    throw new TemplateException("template: " + location + ": executing " + GoStrings.quote(name) + " at <" + node
      + ">: " + message);
  }

  private void at(Node n) {
    node = n;
  }

  // ---- variables

  private int mark() {
    return vars.size();
  }

  private void pop(int mark) {
    vars.subList(mark, vars.size()).clear();
  }

  private void push(String varName, Object value, boolean boxed) {
    vars.add(new Var(varName, value, boxed));
  }

  private void setVar(String varName, Object value, boolean boxed) {
    for (int i = vars.size() - 1; i >= 0; i--) {
      Var v = vars.get(i);
      if (v.name.equals(varName)) {
        v.value = value;
        v.boxed = boxed;
        return;
      }
    }
    throw errorf("undefined variable: " + varName);
  }

  private void setTopVar(int n, Object value, boolean boxed) {
    Var v = vars.get(vars.size() - n);
    v.value = value;
    v.boxed = boxed;
  }

  private Var variable(String varName) {
    for (int i = vars.size() - 1; i >= 0; i--) {
      if (vars.get(i).name.equals(varName)) {
        return vars.get(i);
      }
    }
    throw errorf("undefined variable: " + varName);
  }

  // ---- walking

  private void walk(Object dot, boolean boxed, Node n) {
    at(n);
    if (n instanceof TextNode t) {
      out.append(t.text());
    } else if (n instanceof ActionNode a) {
      // declared variables persist until the enclosing {{end}}; a declaration prints nothing
      Object val = evalPipeline(dot, boxed, a.pipe());
      if (a.pipe().decl.isEmpty()) {
        at(a);
        out.append(val == Values.MISSING ? "<no value>" : GoFmt.v(val));
      }
    } else if (n instanceof ListNode l) {
      for (Node child : l.nodes) {
        walk(dot, boxed, child);
      }
    } else if (n instanceof BranchNode b) {
      if (b.kind() == BranchKind.RANGE) {
        walkRange(dot, boxed, b);
      } else {
        walkIfOrWith(dot, boxed, b);
      }
    } else if (n instanceof BreakNode) {
      throw BREAK;
    } else if (n instanceof ContinueNode) {
      throw CONTINUE;
    } else if (n instanceof TemplateNode t) {
      walkTemplate(dot, boxed, t);
    } else {
      throw errorf("unknown node: " + n);
    }
  }

  private void walkIfOrWith(Object dot, boolean boxed, BranchNode b) {
    int mark = mark();
    try {
      Object val = evalPipeline(dot, boxed, b.pipe());
      if (Values.isTrue(val)) {
        if (b.kind() == BranchKind.WITH) {
          walk(val, false, b.list());
        } else {
          walk(dot, boxed, b.list());
        }
      } else if (b.elseList() != null) {
        walk(dot, boxed, b.elseList());
      }
    } finally {
      pop(mark);
    }
  }

  private void walkRange(Object dot, boolean boxed, BranchNode r) {
    at(r);
    int mark = mark();
    try {
      Object val = evalPipeline(dot, boxed, r.pipe());
      int bodyMark = mark();
      if (Values.isInt(val)) {
        if (r.pipe().decl.size() > 1) {
          throw errorf("can't use " + GoFmt.v(val) + " to iterate over more than one variable");
        }
        long n = ((Number) val).longValue();
        if (n > 0) {
          for (long i = 0; i < n; i++) {
            // the element has the type of the range value (int or int64)
            oneIteration(r, Values.MISSING, val instanceof Integer ? (Object) (int) i : (Object) i, false, bodyMark);
          }
          return;
        }
      } else if (val instanceof List<?> list) {
        if (!list.isEmpty()) {
          boolean elemBoxed = Values.boxedElements(list);
          for (int i = 0; i < list.size(); i++) {
            oneIteration(r, i, Values.element(list, i), elemBoxed, bodyMark);
          }
          return;
        }
      } else if (val instanceof Map<?, ?> map) {
        if (!map.isEmpty()) {
          boolean valueBoxed = Values.boxedValues(map);
          for (String key : Values.sortedKeys(map)) {
            oneIteration(r, key, Values.entry(map, key), valueBoxed, bodyMark);
          }
          return;
        }
      } else if (val != Values.MISSING) {
        throw errorf("range can't iterate over " + GoFmt.v(val));
      }
      if (r.elseList() != null) {
        walk(dot, boxed, r.elseList());
      }
    } catch (Signal s) {
      if (s != BREAK) {
        throw s;
      }
    } finally {
      pop(mark);
    }
  }

  private void oneIteration(BranchNode r, Object index, Object elem, boolean elemBoxed, int bodyMark) {
    PipeNode pipe = r.pipe();
    if (!pipe.decl.isEmpty()) {
      if (pipe.isAssign) {
        // with two variables the index comes first; with one, the element
        if (pipe.decl.size() > 1) {
          setVar(pipe.decl.get(0).ident().get(0), index, false);
        } else {
          setVar(pipe.decl.get(0).ident().get(0), elem, elemBoxed);
        }
      } else {
        setTopVar(1, elem, elemBoxed);
      }
    }
    if (pipe.decl.size() > 1) {
      if (pipe.isAssign) {
        setVar(pipe.decl.get(1).ident().get(0), elem, elemBoxed);
      } else {
        setTopVar(2, index, false);
      }
    }
    try {
      walk(elem, elemBoxed, r.list());
    } catch (Signal s) {
      if (s != CONTINUE) {
        throw s;
      }
    } finally {
      pop(bodyMark);
    }
  }

  private void walkTemplate(Object dot, boolean boxed, TemplateNode t) {
    at(t);
    ListNode tree = tmpl.tree(t.name());
    if (tree == null) {
      throw errorf("template " + GoStrings.quote(t.name()) + " not defined");
    }
    if (depth == MAX_EXEC_DEPTH) {
      throw errorf("exceeded maximum template depth (" + MAX_EXEC_DEPTH + ")");
    }
    Object newDot = evalPipeline(dot, boxed, t.pipe()); // variables declared here persist
    List<Var> savedVars = vars;
    String savedName = name;
    vars = new ArrayList<>();
    vars.add(new Var("$", newDot, false)); // no dynamic scoping: the callee sees only $
    name = t.name();
    depth++;
    try {
      walk(newDot, false, tree);
    } finally {
      depth--;
      name = savedName;
      vars = savedVars;
    }
  }

  // ---- evaluation

  /** Evaluates a pipeline; a nil interface result becomes no value, as Go digs into interface{} results. */
  private Object evalPipeline(Object dot, boolean boxed, PipeNode pipe) {
    if (pipe == null) {
      return Values.MISSING;
    }
    at(pipe);
    Object value = NO_FINAL;
    for (CommandNode cmd : pipe.cmds) {
      value = evalCommand(dot, boxed, cmd, value);
      if (value == null) {
        value = Values.MISSING;
      }
    }
    for (VariableNode v : pipe.decl) {
      if (pipe.isAssign) {
        setVar(v.ident().get(0), value, false);
      } else {
        push(v.ident().get(0), value, false);
      }
    }
    return value;
  }

  private void notAFunction(List<Node> args, Object fin) {
    if ((args != null && args.size() > 1) || fin != NO_FINAL) {
      throw errorf("can't give argument to non-function " + args.get(0));
    }
  }

  private Object evalCommand(Object dot, boolean boxed, CommandNode cmd, Object fin) {
    Node first = cmd.args.get(0);
    if (first instanceof FieldNode f) {
      return evalFieldNode(dot, boxed, f, cmd.args, fin);
    }
    if (first instanceof ChainNode c) {
      return evalChainNode(dot, boxed, c, cmd.args, fin);
    }
    if (first instanceof IdentifierNode id) {
      return evalFunction(dot, boxed, id, cmd, cmd.args, fin);
    }
    if (first instanceof PipeNode p) {
      notAFunction(cmd.args, fin);
      return evalPipeline(dot, boxed, p);
    }
    if (first instanceof VariableNode v) {
      return evalVariableNode(dot, boxed, v, cmd.args, fin);
    }
    at(first);
    notAFunction(cmd.args, fin);
    if (first instanceof BoolNode b) {
      return b.value();
    }
    if (first instanceof DotNode) {
      return dot;
    }
    if (first instanceof NilNode) {
      throw errorf("nil is not a command");
    }
    if (first instanceof NumberNode num) {
      return idealConstant(num);
    }
    if (first instanceof StringNode s) {
      return s.text();
    }
    throw errorf("can't evaluate command " + GoStrings.quote(first.toString()));
  }

  /** A number constant with no type context: float if it is written as one, else int. */
  private Object idealConstant(NumberNode c) {
    at(c);
    String text = c.text();
    boolean hexInt = text.length() > 2 && text.charAt(0) == '0' && (text.charAt(1) == 'x' || text.charAt(1) == 'X')
      && !Parser.containsAny(text, "pP");
    boolean runeInt = text.startsWith("'");
    if (c.isFloat() && !hexInt && !runeInt && Parser.containsAny(text, ".eEpP")) {
      return c.float64();
    }
    if (c.isInt()) {
      return Values.goInt(c.int64());
    }
    if (c.isUint()) {
      throw errorf(text + " overflows int");
    }
    return Values.MISSING;
  }

  private Object evalFieldNode(Object dot, boolean boxed, FieldNode field, List<Node> args, Object fin) {
    at(field);
    return evalFieldChain(dot, boxed, dot, boxed, field, field.ident(), args, fin);
  }

  private Object evalChainNode(Object dot, boolean boxed, ChainNode chain, List<Node> args, Object fin) {
    at(chain);
    if (chain.node instanceof NilNode) {
      throw errorf("indirection through explicit nil in " + chain);
    }
    Object receiver = chain.node instanceof PipeNode p ? evalPipeline(dot, boxed, p)
      : evalFunction(dot, boxed, (IdentifierNode) chain.node, chain.node, null, NO_FINAL);
    if (receiver == null) {
      receiver = Values.MISSING;
    }
    return evalFieldChain(dot, boxed, receiver, false, chain, chain.fields, args, fin);
  }

  private Object evalVariableNode(Object dot, boolean boxed, VariableNode v, List<Node> args, Object fin) {
    at(v);
    Var var = variable(v.ident().get(0));
    if (v.ident().size() == 1) {
      notAFunction(args, fin);
      return var.value;
    }
    return evalFieldChain(dot, boxed, var.value, var.boxed, v, v.ident().subList(1, v.ident().size()), args, fin);
  }

  private Object evalFieldChain(Object dot, boolean dotBoxed, Object receiver, boolean receiverBoxed, Node n,
                                List<String> ident, List<Node> args, Object fin) {
    int last = ident.size() - 1;
    for (int i = 0; i < last; i++) {
      receiver = evalField(dot, dotBoxed, ident.get(i), n, null, NO_FINAL, receiver, receiverBoxed);
      receiverBoxed = fieldBoxed;
    }
    return evalField(dot, dotBoxed, ident.get(last), n, args, fin, receiver, receiverBoxed);
  }

  /** .Field on a map (a key) or a time.Time (a method); anything else is Go's "can't evaluate field". */
  private Object evalField(Object dot, boolean dotBoxed, String fieldName, Node n, List<Node> args, Object fin,
                           Object receiver, boolean receiverBoxed) {
    fieldBoxed = false;
    if (receiver == Values.MISSING) {
      return Values.MISSING;
    }
    String type = receiverBoxed || receiver == null ? "interface {}" : Values.typeName(receiver);
    if (receiver == null) {
      throw errorf("nil pointer evaluating " + type + "." + fieldName);
    }
    if (receiver instanceof GoTime t) {
      Func method = TimeMethods.get(t, fieldName);
      if (method != null) {
        return evalCall(dot, dotBoxed, method, n, fieldName, args, fin);
      }
    }
    boolean hasArgs = (args != null && args.size() > 1) || fin != NO_FINAL;
    if (receiver instanceof Map<?, ?> map) {
      if (hasArgs) {
        throw errorf(fieldName + " is not a method but has arguments");
      }
      Object result = Values.entry(map, fieldName);
      fieldBoxed = result != Values.MISSING && Values.boxedValues(map);
      return result;
    }
    throw errorf("can't evaluate field " + fieldName + " in type " + type);
  }

  private Object evalFunction(Object dot, boolean boxed, IdentifierNode id, Node cmd, List<Node> args, Object fin) {
    at(id);
    Func f = Funcs.get(id.ident());
    if (f == null) {
      throw errorf(GoStrings.quote(id.ident()) + " is not a defined function");
    }
    return evalCall(dot, boxed, f, cmd, id.ident(), args, fin);
  }

  /** Checks the argument count, evaluates and converts the arguments, calls; as Go's evalCall. */
  private Object evalCall(Object dot, boolean boxed, Func f, Node n, String fname, List<Node> argNodes, Object fin) {
    List<Node> args = argNodes == null ? List.of() : argNodes.subList(1, argNodes.size());
    int numIn = args.size() + (fin != NO_FINAL ? 1 : 0);
    int numFixed = args.size();
    Arg[] params = f.params();
    if (f.variadic() != null) {
      numFixed = params.length;
      if (numIn < numFixed) {
        throw errorf("wrong number of args for " + fname + ": want at least " + params.length + " got "
          + args.size());
      }
    } else if (numIn != params.length) {
      throw errorf("wrong number of args for " + fname + ": want " + params.length + " got " + numIn);
    }

    if (f.builtin() && (fname.equals("and") || fname.equals("or"))) {
      // short-circuit: stop at the first false (and) / true (or) argument and return it
      boolean isOr = fname.equals("or");
      Object v = Values.MISSING;
      for (Node arg : args) {
        v = evalArg(dot, boxed, Arg.VALUE, arg);
        if (Builtins.truth(v) == isOr) {
          return v;
        }
      }
      if (fin != NO_FINAL) {
        v = validateType(fin, Arg.VALUE);
      }
      return v;
    }

    Object[] argv = new Object[numIn];
    int i = 0;
    for (; i < numFixed && i < args.size(); i++) {
      argv[i] = evalArg(dot, boxed, params[i], args.get(i));
    }
    if (f.variadic() != null) {
      for (; i < args.size(); i++) {
        argv[i] = evalArg(dot, boxed, f.variadic(), args.get(i));
      }
    }
    if (fin != NO_FINAL) {
      Arg t;
      if (f.variadic() == null) {
        t = params[params.length - 1];
      } else {
        t = numIn - 1 < numFixed ? params[numIn - 1] : f.variadic();
      }
      argv[i] = validateType(fin, t);
    }
    if (f.builtin() && fname.equals("call")) {
      Object[] withName = new Object[argv.length + 1];
      withName[0] = args.isEmpty() ? "" : args.get(0).toString(); // Go passes the callee's source text
      System.arraycopy(argv, 0, withName, 1, argv.length);
      argv = withName;
    }
    try {
      return f.body().call(clock, argv);
    } catch (Func.Failure e) {
      at(n);
      throw errorf("error calling " + fname + ": " + e.getMessage());
    } catch (RuntimeException e) {
      // Go's safeCall turns a panicking function into an error; do the same for an unforeseen Java failure
      at(n);
      throw errorf("error calling " + fname + ": " + e);
    }
  }

  /** Checks that a value can be passed as a parameter of type {@code t}, as Go's validateType. */
  private Object validateType(Object value, Arg t) {
    if (value == Values.MISSING) {
      return switch (t) {
        case ANY -> null;
        case VALUE -> Values.MISSING;
        case MAP -> Map.of(); // a nil map
        default -> throw errorf("invalid value; expected " + t.goName);
      };
    }
    if (t == Arg.ANY || t == Arg.VALUE) {
      return value;
    }
    boolean ok = switch (t) {
      case STRING -> value instanceof String;
      case BOOL -> value instanceof Boolean;
      case INT -> value instanceof Integer;
      case FLOAT64 -> value instanceof Double;
      case MAP -> value instanceof Map<?, ?> m && Values.boxedValues(m);
      default -> true;
    };
    if (!ok) {
      throw errorf("wrong type for value; expected " + t.goName + "; got " + Values.typeName(value));
    }
    return value;
  }

  private Object evalArg(Object dot, boolean boxed, Arg t, Node n) {
    at(n);
    if (n instanceof DotNode) {
      return validateType(dot, t);
    }
    if (n instanceof NilNode) {
      if (t.canBeNil()) {
        return t == Arg.VALUE ? Values.MISSING : t == Arg.MAP ? Map.of() : null;
      }
      throw errorf("cannot assign nil to " + t.goName);
    }
    if (n instanceof FieldNode f) {
      return validateType(evalFieldNode(dot, boxed, f, List.of(n), NO_FINAL), t);
    }
    if (n instanceof VariableNode v) {
      return validateType(evalVariableNode(dot, boxed, v, null, NO_FINAL), t);
    }
    if (n instanceof PipeNode p) {
      return validateType(evalPipeline(dot, boxed, p), t);
    }
    if (n instanceof IdentifierNode id) {
      return validateType(evalFunction(dot, boxed, id, id, null, NO_FINAL), t);
    }
    if (n instanceof ChainNode c) {
      return validateType(evalChainNode(dot, boxed, c, null, NO_FINAL), t);
    }
    return switch (t) {
      case BOOL -> {
        if (n instanceof BoolNode b) {
          yield b.value();
        }
        throw errorf("expected bool; found " + n);
      }
      case STRING -> {
        if (n instanceof StringNode s) {
          yield s.text();
        }
        throw errorf("expected string; found " + n);
      }
      case INT -> {
        if (n instanceof NumberNode num && num.isInt()) {
          yield Values.goInt(num.int64());
        }
        throw errorf("expected integer; found " + n);
      }
      case FLOAT64 -> {
        if (n instanceof NumberNode num && num.isFloat()) {
          yield num.float64();
        }
        throw errorf("expected float; found " + n);
      }
      case ANY, VALUE -> evalEmptyInterface(dot, n);
      case MAP -> throw errorf("can't handle " + n + " for arg of type " + t.goName);
    };
  }

  private Object evalEmptyInterface(Object dot, Node n) {
    at(n);
    if (n instanceof BoolNode b) {
      return b.value();
    }
    if (n instanceof NumberNode num) {
      return idealConstant(num);
    }
    if (n instanceof StringNode s) {
      return s.text();
    }
    if (n instanceof DotNode) {
      return dot;
    }
    throw errorf("can't handle assignment of " + n + " to empty interface argument");
  }
}
