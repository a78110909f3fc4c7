package io.wsink.pipeline.template;

import java.util.ArrayList;
import java.util.List;

/**
 * The parse tree. {@code toString()} renders a node as Go's {@code Node.String()} does, because execution errors
 * quote it: {@code executing "sink" at <lt .t_av 30>: ...}.
 */
sealed interface Node {

  /** Char index of the node in the template text (Go's byte Pos, converted when an error is reported). */
  int pos();

  final class ListNode implements Node {
    final int pos;
    final List<Node> nodes = new ArrayList<>();

    ListNode(int pos) {
      this.pos = pos;
    }

    @Override
    public int pos() {
      return pos;
    }

    boolean isEmptyTree() {
      for (Node n : nodes) {
        if (n instanceof TextNode t) {
          if (!GoStrings.trimSpace(t.text).isEmpty()) {
            return false;
          }
        } else if (n instanceof ListNode l) {
          if (!l.isEmptyTree()) {
            return false;
          }
        } else {
          return false;
        }
      }
      return true;
    }

    @Override
    public String toString() {
      StringBuilder sb = new StringBuilder();
      nodes.forEach(sb::append);
      return sb.toString();
    }
  }

  record TextNode(int pos, String text) implements Node {
    @Override
    public String toString() {
      return text;
    }
  }

  final class PipeNode implements Node {
    final int pos;
    final int line;
    boolean isAssign;
    final List<VariableNode> decl = new ArrayList<>();
    final List<CommandNode> cmds = new ArrayList<>();

    PipeNode(int pos, int line) {
      this.pos = pos;
      this.line = line;
    }

    @Override
    public int pos() {
      return pos;
    }

    @Override
    public String toString() {
      StringBuilder sb = new StringBuilder();
      if (!decl.isEmpty()) {
        for (int i = 0; i < decl.size(); i++) {
          if (i > 0) {
            sb.append(", ");
          }
          sb.append(decl.get(i));
        }
        sb.append(isAssign ? " = " : " := ");
      }
      for (int i = 0; i < cmds.size(); i++) {
        if (i > 0) {
          sb.append(" | ");
        }
        sb.append(cmds.get(i));
      }
      return sb.toString();
    }
  }

  record ActionNode(int pos, int line, PipeNode pipe) implements Node {
    @Override
    public String toString() {
      return "{{" + pipe + "}}";
    }
  }

  final class CommandNode implements Node {
    final int pos;
    final List<Node> args = new ArrayList<>();

    CommandNode(int pos) {
      this.pos = pos;
    }

    @Override
    public int pos() {
      return pos;
    }

    @Override
    public String toString() {
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < args.size(); i++) {
        if (i > 0) {
          sb.append(' ');
        }
        Node arg = args.get(i);
        if (arg instanceof PipeNode) {
          sb.append('(').append(arg).append(')');
        } else {
          sb.append(arg);
        }
      }
      return sb.toString();
    }
  }

  record IdentifierNode(int pos, String ident) implements Node {
    @Override
    public String toString() {
      return ident;
    }
  }

  /** {@code $x} or {@code $x.a.b}: ident[0] is the variable, the rest are fields. */
  record VariableNode(int pos, List<String> ident) implements Node {
    VariableNode(int pos, String text) {
      this(pos, List.of(text.split("\\.", -1)));
    }

    @Override
    public String toString() {
      return String.join(".", ident);
    }
  }

  record DotNode(int pos) implements Node {
    @Override
    public String toString() {
      return ".";
    }
  }

  record NilNode(int pos) implements Node {
    @Override
    public String toString() {
      return "nil";
    }
  }

  /** {@code .a.b}: the idents without their dots. */
  record FieldNode(int pos, List<String> ident) implements Node {
    FieldNode(int pos, String text) {
      this(pos, List.of(text.substring(1).split("\\.", -1)));
    }

    @Override
    public String toString() {
      StringBuilder sb = new StringBuilder();
      ident.forEach(i -> sb.append('.').append(i));
      return sb.toString();
    }
  }

  /** A term followed by fields: {@code (pipeline).a.b}. */
  final class ChainNode implements Node {
    final int pos;
    final Node node;
    final List<String> fields = new ArrayList<>();

    ChainNode(int pos, Node node) {
      this.pos = pos;
      this.node = node;
    }

    @Override
    public int pos() {
      return pos;
    }

    @Override
    public String toString() {
      StringBuilder sb = new StringBuilder();
      if (node instanceof PipeNode) {
        sb.append('(').append(node).append(')');
      } else {
        sb.append(node);
      }
      fields.forEach(f -> sb.append('.').append(f));
      return sb.toString();
    }
  }

  record BoolNode(int pos, boolean value) implements Node {
    @Override
    public String toString() {
      return value ? "true" : "false";
    }
  }

  /**
   * A number constant, held under every type that can represent it, as Go's ideal constants: {@code 30} is int,
   * uint and float; {@code 30.0} float and int; {@code 1.5} float only.
   */
  record NumberNode(int pos, String text, boolean isInt, boolean isUint, boolean isFloat, long int64,
                    double float64) implements Node {
    @Override
    public String toString() {
      return text;
    }
  }

  /** A string constant: the quoted source text and its value. */
  record StringNode(int pos, String quoted, String text) implements Node {
    @Override
    public String toString() {
      return quoted;
    }
  }

  enum BranchKind { IF, RANGE, WITH }

  record BranchNode(BranchKind kind, int pos, int line, PipeNode pipe, ListNode list, ListNode elseList)
    implements Node {
    @Override
    public String toString() {
      StringBuilder sb = new StringBuilder("{{").append(kind.name().toLowerCase()).append(' ').append(pipe)
        .append("}}").append(list);
      if (elseList != null) {
        sb.append("{{else}}").append(elseList);
      }
      return sb.append("{{end}}").toString();
    }
  }

  record BreakNode(int pos, int line) implements Node {
    @Override
    public String toString() {
      return "{{break}}";
    }
  }

  record ContinueNode(int pos, int line) implements Node {
    @Override
    public String toString() {
      return "{{continue}}";
    }
  }

  record TemplateNode(int pos, int line, String name, PipeNode pipe) implements Node {
    @Override
    public String toString() {
      return "{{template " + GoStrings.quote(name) + (pipe == null ? "" : " " + pipe) + "}}";
    }
  }

  /** {{end}}: ends an item list while parsing; never in the finished tree. */
  record EndNode(int pos) implements Node {
    @Override
    public String toString() {
      return "{{end}}";
    }
  }

  /** {{else}}: ends an item list while parsing; never in the finished tree. */
  record ElseNode(int pos, int line) implements Node {
    @Override
    public String toString() {
      return "{{else}}";
    }
  }
}
