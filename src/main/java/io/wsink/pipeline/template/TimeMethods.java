package io.wsink.pipeline.template;

import io.wsink.pipeline.template.Func.Arg;

import java.time.ZoneOffset;

/** The time.Time methods a template may call on {@code now}: {@code {{now.Unix}}}, {@code {{now.Format "..."}}}. */
final class TimeMethods {

  private TimeMethods() {
  }

  /** The method {@code name} bound to {@code t}, or null when time.Time has no such method here. */
  static Func get(GoTime t, String name) {
    return switch (name) {
      case "Format" -> Func.of(name, (c, a) -> t.format((String) a[0]), Arg.STRING);
      case "String" -> Func.of(name, (c, a) -> t.toString());
      case "Unix" -> Func.of(name, (c, a) -> t.t().toEpochSecond());
      case "UnixMilli" -> Func.of(name, (c, a) -> t.t().toInstant().toEpochMilli());
      case "UnixNano" -> Func.of(name, (c, a) -> t.t().toEpochSecond() * 1_000_000_000L + t.t().getNano());
      case "UTC" -> Func.of(name, (c, a) -> t.in(ZoneOffset.UTC));
      case "Local" -> Func.of(name, (c, a) -> t.in(c.getZone()));
      case "Year" -> Func.of(name, (c, a) -> t.t().getYear());
      case "YearDay" -> Func.of(name, (c, a) -> t.t().getDayOfYear());
      case "Day" -> Func.of(name, (c, a) -> t.t().getDayOfMonth());
      case "Hour" -> Func.of(name, (c, a) -> t.t().getHour());
      case "Minute" -> Func.of(name, (c, a) -> t.t().getMinute());
      case "Second" -> Func.of(name, (c, a) -> t.t().getSecond());
      case "Nanosecond" -> Func.of(name, (c, a) -> t.t().getNano());
      case "IsZero" -> Func.of(name, (c, a) -> false);
      default -> null;
    };
  }
}
