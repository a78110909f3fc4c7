package io.wsink.pipeline.template;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/** The function map of an eKuiper sink template: Go's builtins overlaid by sprig's FuncMap and eKuiper's two. */
final class Funcs {

  private Funcs() {
  }

  private static final Map<String, Func> ALL = new HashMap<>();

  static {
    Builtins.register(ALL);
    Sprig.register(ALL); // after the builtins: a sprig name wins, as with template.Funcs (sprig's slice)
  }

  /**
   * Sprig v3 names that wsink does not implement. Go would accept them at parse time; wsink refuses the template
   * then, with a message that says why, rather than failing on every message later.
   */
  private static final Set<String> SPRIG_UNSUPPORTED = Set.of("hello", "ago", "date_in_zone", "date_modify",
    "dateInZone", "dateModify", "duration", "durationRound", "htmlDate", "htmlDateInZone", "must_date_modify",
    "mustDateModify", "mustToDate", "toDate", "unixEpoch", "abbrev", "abbrevboth", "trunc", "untitle", "substr",
    "trimall", "initials", "randAlphaNum", "randAlpha", "randAscii", "randNumeric", "randSeededNumeric", "swapcase",
    "shuffle", "snakecase", "camelcase", "kebabcase", "wrap", "wrapWith", "indent", "nindent", "plural",
    "sha1sum", "sha256sum", "sha512sum", "adler32sum", "seq", "toDecimal", "splitn", "toStrings", "until",
    "untilStep", "randInt", "add1f", "addf", "subf", "divf", "mulf", "biggest", "maxf", "minf", "absf", "sortAlpha",
    "all", "any", "compact", "mustCompact", "fromJson", "mustFromJson", "mustToJson", "mustToPrettyJson",
    "mustToRawJson", "deepCopy", "mustDeepCopy", "typeOf", "typeIs", "typeIsLike", "kindOf", "kindIs", "deepEqual",
    "env", "expandenv", "getHostByName", "base", "dir", "clean", "ext", "isAbs", "osBase", "osClean", "osDir",
    "osExt", "osIsAbs", "b32enc", "b32dec", "tuple", "set", "unset", "pluck", "pick", "omit", "merge",
    "mergeOverwrite", "mustMerge", "mustMergeOverwrite", "values", "append", "push", "mustAppend", "mustPush",
    "prepend", "mustPrepend", "first", "mustFirst", "rest", "mustRest", "last", "mustLast", "initial",
    "mustInitial", "reverse", "mustReverse", "uniq", "mustUniq", "without", "mustWithout", "has", "mustHas",
    "mustSlice", "concat", "dig", "chunk", "mustChunk", "bcrypt", "htpasswd", "genPrivateKey", "derivePassword",
    "buildCustomCert", "genCA", "genCAWithKey", "genSelfSignedCert", "genSelfSignedCertWithKey", "genSignedCert",
    "genSignedCertWithKey", "encryptAES", "decryptAES", "randBytes", "uuidv4", "semver", "semverCompare", "fail",
    "regexMatch", "mustRegexMatch", "regexFindAll", "mustRegexFindAll", "regexFind", "mustRegexFind",
    "regexReplaceAll", "mustRegexReplaceAll", "regexReplaceAllLiteral", "mustRegexReplaceAllLiteral", "regexSplit",
    "mustRegexSplit", "regexQuoteMeta", "urlParse", "urlJoin");

  static Func get(String name) {
    return ALL.get(name);
  }

  /** The parse-time check of text/template: every identifier must name a function. */
  static void checkDefined(String name, Function<String, TemplateException> error) {
    if (ALL.containsKey(name)) {
      return;
    }
    if (SPRIG_UNSUPPORTED.contains(name)) {
      throw error.apply("function " + GoStrings.quote(name) + " is not supported by wsink");
    }
    throw error.apply("function " + GoStrings.quote(name) + " not defined");
  }
}
