/**
 * Go's text/template with the sprig functions, as eKuiper's sink {@code dataTemplate} uses it:
 * {@link io.wsink.pipeline.template.GoTemplate#parse} at rule creation, {@code execute} per message.
 *
 * <h2>Pipeline</h2>
 * {@code Lexer} (items, trim markers, Go's lexer errors) → {@code Parser} (a tree of {@code Node}s; Go's
 * three-item look-ahead, so errors name the same item and line) → {@code Exec} (walks the tree with Go's
 * scoping, truth and error rules). Printing goes through {@code GoFmt} (fmt), JSON through {@code GoJson}
 * (encoding/json), numbers through {@code GoFloat}/{@code GoNumbers} (strconv, spf13/cast).
 *
 * <h2>Grammar</h2>
 * <pre>
 * template   := (text | comment | action)*
 * comment    := "{{/*" any "*&#47;}}"                 (no space between delimiter and comment)
 * action     := "{{" ["- "] body [" -"] "}}"          ("{{- " trims preceding, " -}}" following space)
 * body       := pipeline
 *             | "if" pipeline "}}" list ("{{else if" pipeline "}}" list)* ["{{else}}" list] "{{end"
 *             | "with" pipeline "}}" list ("{{else with" pipeline "}}" list)* ["{{else}}" list] "{{end"
 *             | "range" pipeline "}}" list ["{{else}}" list] "{{end"   (body may use break, continue)
 *             | "define" string "}}" list "{{end" | "block" string pipeline "}}" list "{{end"
 *             | "template" string [pipeline] | "break" | "continue"
 * pipeline   := [decl] command ("|" command)*          (the value of a command is the last argument of the next)
 * decl       := $var ":=" | $var "=" | $i "," $e (":=" | "=")   (the two-variable form: range only)
 * command    := operand (space operand)*
 * operand    := term ("." field)*
 * term       := "." | "$" | $var | .field | .a.b | function | "(" pipeline ")"
 *             | string | `raw string` | number | 'c' | true | false | nil
 * </pre>
 *
 * <h2>Values</h2>
 * A row is Go's {@code map[string]interface {}}, a result set {@code []map[string]interface {}}. JSON integers are
 * int64, other JSON numbers float64 (printed as fmt's %v: 22.5, 22, 1e+06), maps print with sorted keys
 * ({@code map[a:1 b:2]}), a missing key prints {@code <no value>}. Comparisons follow Go: {@code eq}/{@code lt}...
 * refuse mismatched basic kinds, int against float included ("incompatible types for comparison").
 *
 * <h2>Functions</h2>
 * Go's {@code and or not len index print printf println eq ne lt le gt ge html js urlquery call}; sprig's
 * {@code toJson toPrettyJson toRawJson add add1 sub mul div mod max min abs round floor ceil b64enc b64dec upper lower
 * title trim nospace trimAll trimPrefix trimSuffix replace contains hasPrefix hasSuffix repeat quote squote cat join
 * split splitList default empty coalesce ternary int int64 float64 toString atoi dict list get hasKey keys slice now
 * date} (sprig's {@code slice} replaces Go's, as in eKuiper); eKuiper's {@code json} and {@code base64}. Other sprig
 * names are refused at parse time as not supported.
 */
package io.wsink.pipeline.template;
