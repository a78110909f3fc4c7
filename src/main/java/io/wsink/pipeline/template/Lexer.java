package io.wsink.pipeline.template;

/**
 * Splits template text into items, exactly as Go's text/template/parse lexer does (same item boundaries, line
 * numbers and error texts), including the {@code {{- }} / {@code -}}} trim markers, which are applied here so the
 * parser never sees them.
 */
final class Lexer {

  enum Type {
    ERROR, BOOL, CHAR, CHAR_CONSTANT, COMPLEX, ASSIGN, DECLARE, EOF, FIELD, IDENTIFIER, LEFT_DELIM, LEFT_PAREN,
    NUMBER, PIPE, RAW_STRING, RIGHT_DELIM, RIGHT_PAREN, SPACE, STRING, TEXT, VARIABLE,
    KEYWORD, // keywords follow
    BLOCK, BREAK, CONTINUE, DOT, DEFINE, ELSE, END, IF, NIL, RANGE, TEMPLATE, WITH;

    boolean isKeyword() {
      return ordinal() > KEYWORD.ordinal();
    }
  }

  /** One lexed item; {@code pos} is a char index into the template text, {@code line} 1-based. */
  record Item(Type type, int pos, String val, int line) {
    /** Go's item.String(): how the parser names an unexpected item. */
    @Override
    public String toString() {
      if (type == Type.EOF) {
        return "EOF";
      }
      if (type == Type.ERROR) {
        return val;
      }
      if (type.isKeyword()) {
        return "<" + val + ">";
      }
      if (GoStrings.utf8Len(val) > 10) {
        int cut = val.codePointCount(0, val.length()) > 10 ? val.offsetByCodePoints(0, 10) : val.length();
        return GoStrings.quote(val.substring(0, cut)) + "...";
      }
      return GoStrings.quote(val);
    }
  }

  private enum State { TEXT, LEFT_DELIM, COMMENT, RIGHT_DELIM, INSIDE_ACTION, SPACE, IDENTIFIER, FIELD, VARIABLE,
    CHAR, NUMBER, QUOTE, RAW_QUOTE }

  private static final String LEFT = "{{";
  private static final String RIGHT = "}}";
  private static final int EOF = -1;

  private final String input;
  private int pos;
  private int start;
  private int width;
  private int parenDepth;
  private int line = 1;
  private int startLine = 1;
  private State state = State.TEXT; // null once the input is exhausted or an error was returned

  Lexer(String input) {
    this.input = input;
  }

  /** The next item; EOF (forever) after the end or an error. */
  Item nextItem() {
    while (state != null) {
      Item item = switch (state) {
        case TEXT -> lexText();
        case LEFT_DELIM -> lexLeftDelim();
        case COMMENT -> lexComment();
        case RIGHT_DELIM -> lexRightDelim();
        case INSIDE_ACTION -> lexInsideAction();
        case SPACE -> lexSpace();
        case IDENTIFIER -> lexIdentifier();
        case FIELD -> lexFieldOrVariable(Type.FIELD);
        case VARIABLE -> lexVariable();
        case CHAR -> lexChar();
        case NUMBER -> lexNumber();
        case QUOTE -> lexQuote();
        case RAW_QUOTE -> lexRawQuote();
      };
      if (item != null) {
        return item;
      }
    }
    return emit(Type.EOF);
  }

  // ---- primitives

  private int next() {
    if (pos >= input.length()) {
      width = 0;
      return EOF;
    }
    int r = input.codePointAt(pos);
    width = Character.charCount(r);
    pos += width;
    if (r == '\n') {
      line++;
    }
    return r;
  }

  private void backup() {
    pos -= width;
    if (width == 1 && input.charAt(pos) == '\n') {
      line--;
    }
  }

  private int peek() {
    int r = next();
    backup();
    return r;
  }

  private Item emit(Type t) {
    Item item = new Item(t, start, input.substring(start, pos), startLine);
    start = pos;
    startLine = line;
    return item;
  }

  /** Skips input before pos; newlines in it (jumped over, not read by next) still count. */
  private void ignore() {
    line += newlines(start, pos);
    start = pos;
    startLine = line;
  }

  private Item errorf(String message) {
    state = null;
    return new Item(Type.ERROR, start, message, startLine);
  }

  private boolean accept(String valid) {
    int r = next();
    if (r != EOF && valid.indexOf(r) >= 0) {
      return true;
    }
    backup();
    return false;
  }

  private void acceptRun(String valid) {
    int r = next();
    while (r != EOF && valid.indexOf(r) >= 0) {
      r = next();
    }
    backup();
  }

  private int newlines(int from, int to) {
    int n = 0;
    for (int i = from; i < to; i++) {
      if (input.charAt(i) == '\n') {
        n++;
      }
    }
    return n;
  }

  static boolean isSpace(int r) {
    return r == ' ' || r == '\t' || r == '\r' || r == '\n';
  }

  static boolean isAlphaNumeric(int r) {
    return r == '_' || (r >= 0 && (Character.isLetter(r) || Character.isDigit(r)));
  }

  private boolean hasLeftTrimMarker(int at) {
    return at + 1 < input.length() && input.charAt(at) == '-' && isSpace(input.charAt(at + 1));
  }

  private boolean hasRightTrimMarker(int at) {
    return at >= 0 && at + 1 < input.length() && isSpace(input.charAt(at)) && input.charAt(at + 1) == '-';
  }

  /** 0: not at the right delimiter; 1: at "}}"; 2: at " -}}". */
  private int atRightDelim() {
    if (hasRightTrimMarker(pos) && input.startsWith(RIGHT, pos + 2)) {
      return 2;
    }
    return input.startsWith(RIGHT, pos) ? 1 : 0;
  }

  private boolean atTerminator() {
    int r = peek();
    if (isSpace(r)) {
      return true;
    }
    switch (r) {
      case EOF, '.', ',', '|', ':', ')', '(':
        return true;
      default:
        return r == '}'; // the first rune of the right delimiter
    }
  }

  /** Go's %#U: U+0041 'A'. */
  static String formatRune(int r) {
    StringBuilder sb = new StringBuilder("U+");
    String hex = Integer.toHexString(r).toUpperCase();
    for (int k = hex.length(); k < 4; k++) {
      sb.append('0');
    }
    sb.append(hex);
    if (GoStrings.isPrint(r)) {
      sb.append(" '").appendCodePoint(r).append('\'');
    }
    return sb.toString();
  }

  // ---- states

  private Item lexText() {
    width = 0;
    int x = input.indexOf(LEFT, pos);
    if (x >= 0) {
      pos = x;
      int trim = 0;
      if (hasLeftTrimMarker(pos + LEFT.length())) {
        int end = pos;
        while (end > start && isSpace(input.charAt(end - 1))) {
          end--;
        }
        trim = pos - end;
      }
      pos -= trim;
      Item item = null;
      if (pos > start) {
        line += newlines(start, pos);
        item = emit(Type.TEXT);
      }
      pos += trim;
      ignore();
      state = State.LEFT_DELIM;
      return item;
    }
    pos = input.length();
    state = null;
    if (pos > start) {
      line += newlines(start, pos);
      return emit(Type.TEXT);
    }
    return emit(Type.EOF);
  }

  private Item lexLeftDelim() {
    pos += LEFT.length();
    boolean trim = hasLeftTrimMarker(pos);
    int after = trim ? 2 : 0;
    if (input.startsWith("/*", pos + after)) {
      pos += after;
      ignore();
      state = State.COMMENT;
      return null;
    }
    Item item = emit(Type.LEFT_DELIM);
    state = State.INSIDE_ACTION;
    pos += after;
    ignore();
    parenDepth = 0;
    return item;
  }

  private Item lexComment() {
    pos += 2;
    int i = input.indexOf("*/", pos);
    if (i < 0) {
      return errorf("unclosed comment");
    }
    pos = i + 2;
    int delim = atRightDelim();
    if (delim == 0) {
      return errorf("comment ends before closing delimiter");
    }
    if (delim == 2) {
      pos += 2;
    }
    pos += RIGHT.length();
    if (delim == 2) {
      pos += leftTrimLength(pos);
    }
    ignore();
    state = State.TEXT;
    return null;
  }

  private int leftTrimLength(int from) {
    int i = from;
    while (i < input.length() && isSpace(input.charAt(i))) {
      i++;
    }
    return i - from;
  }

  private Item lexRightDelim() {
    boolean trim = hasRightTrimMarker(pos);
    if (trim) {
      pos += 2;
      ignore();
    }
    pos += RIGHT.length();
    Item item = emit(Type.RIGHT_DELIM);
    if (trim) {
      pos += leftTrimLength(pos);
      ignore();
    }
    state = State.TEXT;
    return item;
  }

  private Item lexInsideAction() {
    if (atRightDelim() != 0) {
      if (parenDepth == 0) {
        state = State.RIGHT_DELIM;
        return null;
      }
      return errorf("unclosed left paren");
    }
    int r = next();
    if (r == EOF) {
      return errorf("unclosed action");
    }
    if (isSpace(r)) {
      backup(); // the space may start " -}}"
      state = State.SPACE;
      return null;
    }
    Item item;
    switch (r) {
      case '=' -> item = emit(Type.ASSIGN);
      case ':' -> {
        if (next() != '=') {
          return errorf("expected :=");
        }
        item = emit(Type.DECLARE);
      }
      case '|' -> item = emit(Type.PIPE);
      case '"' -> {
        state = State.QUOTE;
        return null;
      }
      case '`' -> {
        state = State.RAW_QUOTE;
        return null;
      }
      case '$' -> {
        state = State.VARIABLE;
        return null;
      }
      case '\'' -> {
        state = State.CHAR;
        return null;
      }
      case '(' -> {
        item = emit(Type.LEFT_PAREN);
        parenDepth++;
      }
      case ')' -> {
        item = emit(Type.RIGHT_PAREN);
        parenDepth--;
        if (parenDepth < 0) {
          return errorf("unexpected right paren " + formatRune(r));
        }
      }
      default -> {
        if (r == '.' && pos < input.length() && (input.charAt(pos) < '0' || input.charAt(pos) > '9')) {
          state = State.FIELD;
          return null;
        }
        if (r == '.' || r == '+' || r == '-' || (r >= '0' && r <= '9')) {
          backup();
          state = State.NUMBER;
          return null;
        }
        if (isAlphaNumeric(r)) {
          backup();
          state = State.IDENTIFIER;
          return null;
        }
        if (r >= 0x20 && r < 0x7F) {
          item = emit(Type.CHAR);
        } else {
          return errorf("unrecognized character in action: " + formatRune(r));
        }
      }
    }
    state = State.INSIDE_ACTION;
    return item;
  }

  private Item lexSpace() {
    int numSpaces = 0;
    while (isSpace(peek())) {
      next();
      numSpaces++;
    }
    // a space followed by "-}}" belongs to the trim marker
    if (hasRightTrimMarker(pos - 1) && input.startsWith(RIGHT, pos + 1)) {
      pos--;
      if (input.charAt(pos) == '\n') {
        line--;
      }
      if (numSpaces == 1) {
        state = State.RIGHT_DELIM;
        return null;
      }
    }
    state = State.INSIDE_ACTION;
    return emit(Type.SPACE);
  }

  private Item lexIdentifier() {
    while (true) {
      int r = next();
      if (isAlphaNumeric(r)) {
        continue;
      }
      backup();
      String word = input.substring(start, pos);
      if (!atTerminator()) {
        return errorf("bad character " + formatRune(r));
      }
      Type keyword = keyword(word);
      Item item;
      if (keyword != null) {
        item = emit(keyword);
      } else if (word.equals("true") || word.equals("false")) {
        item = emit(Type.BOOL);
      } else {
        item = emit(Type.IDENTIFIER);
      }
      state = State.INSIDE_ACTION;
      return item;
    }
  }

  private static Type keyword(String word) {
    return switch (word) {
      case "block" -> Type.BLOCK;
      case "break" -> Type.BREAK;
      case "continue" -> Type.CONTINUE;
      case "define" -> Type.DEFINE;
      case "else" -> Type.ELSE;
      case "end" -> Type.END;
      case "if" -> Type.IF;
      case "range" -> Type.RANGE;
      case "nil" -> Type.NIL;
      case "template" -> Type.TEMPLATE;
      case "with" -> Type.WITH;
      default -> null;
    };
  }

  private Item lexVariable() {
    if (atTerminator()) { // "$" alone
      state = State.INSIDE_ACTION;
      return emit(Type.VARIABLE);
    }
    return lexFieldOrVariable(Type.VARIABLE);
  }

  private Item lexFieldOrVariable(Type type) {
    if (atTerminator()) {
      state = State.INSIDE_ACTION;
      return emit(type == Type.VARIABLE ? Type.VARIABLE : Type.DOT);
    }
    int r;
    while (true) {
      r = next();
      if (!isAlphaNumeric(r)) {
        backup();
        break;
      }
    }
    if (!atTerminator()) {
      return errorf("bad character " + formatRune(r));
    }
    state = State.INSIDE_ACTION;
    return emit(type);
  }

  private Item lexChar() {
    while (true) {
      int r = next();
      if (r == '\\') {
        int r2 = next();
        if (r2 != EOF && r2 != '\n') {
          continue;
        }
        return errorf("unterminated character constant");
      }
      if (r == EOF || r == '\n') {
        return errorf("unterminated character constant");
      }
      if (r == '\'') {
        break;
      }
    }
    state = State.INSIDE_ACTION;
    return emit(Type.CHAR_CONSTANT);
  }

  private Item lexNumber() {
    if (!scanNumber()) {
      return errorf("bad number syntax: " + GoStrings.quote(input.substring(start, pos)));
    }
    int sign = peek();
    if (sign == '+' || sign == '-') {
      if (!scanNumber() || input.charAt(pos - 1) != 'i') {
        return errorf("bad number syntax: " + GoStrings.quote(input.substring(start, pos)));
      }
      state = State.INSIDE_ACTION;
      return emit(Type.COMPLEX);
    }
    state = State.INSIDE_ACTION;
    return emit(Type.NUMBER);
  }

  private boolean scanNumber() {
    accept("+-");
    String digits = "0123456789_";
    if (accept("0")) {
      if (accept("xX")) {
        digits = "0123456789abcdefABCDEF_";
      } else if (accept("oO")) {
        digits = "01234567_";
      } else if (accept("bB")) {
        digits = "01_";
      }
    }
    acceptRun(digits);
    if (accept(".")) {
      acceptRun(digits);
    }
    if (digits.length() == 11 && accept("eE")) {
      accept("+-");
      acceptRun("0123456789_");
    }
    if (digits.length() == 23 && accept("pP")) {
      accept("+-");
      acceptRun("0123456789_");
    }
    accept("i");
    if (isAlphaNumeric(peek())) {
      next();
      return false;
    }
    return true;
  }

  private Item lexQuote() {
    while (true) {
      int r = next();
      if (r == '\\') {
        int r2 = next();
        if (r2 != EOF && r2 != '\n') {
          continue;
        }
        return errorf("unterminated quoted string");
      }
      if (r == EOF || r == '\n') {
        return errorf("unterminated quoted string");
      }
      if (r == '"') {
        break;
      }
    }
    state = State.INSIDE_ACTION;
    return emit(Type.STRING);
  }

  private Item lexRawQuote() {
    while (true) {
      int r = next();
      if (r == EOF) {
        return errorf("unterminated raw quoted string");
      }
      if (r == '`') {
        break;
      }
    }
    state = State.INSIDE_ACTION;
    return emit(Type.RAW_STRING);
  }
}
