package io.wsink.pipeline.template;

import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** Go's {@code time.Time}: what sprig's {@code now} returns and {@code date} formats with a Go layout. */
record GoTime(ZonedDateTime t) {

  private static final String[] LONG_MONTH = {"January", "February", "March", "April", "May", "June", "July",
    "August", "September", "October", "November", "December"};
  private static final String[] LONG_DAY = {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday",
    "Sunday"};
  private static final DateTimeFormatter ABBREVIATION = DateTimeFormatter.ofPattern("zzz", Locale.ENGLISH);

  /** Time.String without the monotonic clock reading: 2006-01-02 15:04:05.999999999 -0700 MST. */
  @Override
  public String toString() {
    return format("2006-01-02 15:04:05.999999999 -0700 MST");
  }

  /** The RFC 3339 form with nanoseconds that encoding/json writes for a time.Time. */
  String rfc3339Nano() {
    return format("2006-01-02T15:04:05.999999999Z07:00");
  }

  GoTime in(ZoneId zone) {
    return new GoTime(t.withZoneSameInstant(zone));
  }

  /** Time.Format with Go's reference-time layout (Mon Jan 2 15:04:05 MST 2006). */
  String format(String layout) {
    StringBuilder sb = new StringBuilder(layout.length() + 10);
    int i = 0;
    while (i < layout.length()) {
      int consumed = std(layout, i, sb);
      if (consumed == 0) {
        sb.append(layout.charAt(i));
        i++;
      } else {
        i += consumed;
      }
    }
    return sb.toString();
  }

  /** Formats the layout element starting at {@code i}; returns its length, or 0 when {@code layout[i]} is literal. */
  private int std(String l, int i, StringBuilder sb) {
    char c = l.charAt(i);
    switch (c) {
      case 'J':
        if (l.startsWith("January", i)) {
          sb.append(LONG_MONTH[t.getMonthValue() - 1]);
          return 7;
        }
        if (l.startsWith("Jan", i)) {
          sb.append(LONG_MONTH[t.getMonthValue() - 1], 0, 3);
          return 3;
        }
        return 0;
      case 'M':
        if (l.startsWith("Monday", i)) {
          sb.append(LONG_DAY[t.getDayOfWeek().getValue() - 1]);
          return 6;
        }
        if (l.startsWith("Mon", i)) {
          sb.append(LONG_DAY[t.getDayOfWeek().getValue() - 1], 0, 3);
          return 3;
        }
        if (l.startsWith("MST", i)) {
          sb.append(abbreviation());
          return 3;
        }
        return 0;
      case '0':
        if (l.startsWith("002", i)) {
          pad(sb, t.getDayOfYear(), 3, '0');
          return 3;
        }
        if (i + 1 < l.length() && l.charAt(i + 1) >= '1' && l.charAt(i + 1) <= '6') {
          switch (l.charAt(i + 1)) {
            case '1' -> pad(sb, t.getMonthValue(), 2, '0');
            case '2' -> pad(sb, t.getDayOfMonth(), 2, '0');
            case '3' -> pad(sb, hour12(), 2, '0');
            case '4' -> pad(sb, t.getMinute(), 2, '0');
            case '5' -> pad(sb, t.getSecond(), 2, '0');
            default -> pad(sb, Math.floorMod(t.getYear(), 100), 2, '0');
          }
          return 2;
        }
        return 0;
      case '1':
        if (l.startsWith("15", i)) {
          pad(sb, t.getHour(), 2, '0');
          return 2;
        }
        sb.append(t.getMonthValue());
        return 1;
      case '2':
        if (l.startsWith("2006", i)) {
          pad(sb, t.getYear(), 4, '0');
          return 4;
        }
        sb.append(t.getDayOfMonth());
        return 1;
      case '_':
        if (l.startsWith("_2", i)) {
          if (l.startsWith("_2006", i)) {
            sb.append('_'); // "_2006" is a literal underscore and the year
            pad(sb, t.getYear(), 4, '0');
            return 5;
          }
          pad(sb, t.getDayOfMonth(), 2, ' ');
          return 2;
        }
        if (l.startsWith("__2", i)) {
          pad(sb, t.getDayOfYear(), 3, ' ');
          return 3;
        }
        return 0;
      case '3':
        sb.append(hour12());
        return 1;
      case '4':
        sb.append(t.getMinute());
        return 1;
      case '5':
        sb.append(t.getSecond());
        return 1;
      case 'P':
        if (l.startsWith("PM", i)) {
          sb.append(t.getHour() >= 12 ? "PM" : "AM");
          return 2;
        }
        return 0;
      case 'p':
        if (l.startsWith("pm", i)) {
          sb.append(t.getHour() >= 12 ? "pm" : "am");
          return 2;
        }
        return 0;
      case '-':
      case 'Z':
        return zone(l, i, c == 'Z', sb);
      case '.':
      case ',':
        return fraction(l, i, sb);
      default:
        return 0;
    }
  }

  private int zone(String l, int i, boolean z, StringBuilder sb) {
    String[] forms = {"070000", "07:00:00", "0700", "07:00", "07"};
    for (String f : forms) {
      if (l.startsWith(f, i + 1)) {
        int offset = t.getOffset().getTotalSeconds();
        if (z && offset == 0) {
          sb.append('Z');
          return f.length() + 1;
        }
        sb.append(offset < 0 ? '-' : '+');
        int abs = Math.abs(offset);
        pad(sb, abs / 3600, 2, '0');
        if (f.length() > 2) {
          if (f.contains(":")) {
            sb.append(':');
          }
          pad(sb, abs / 60 % 60, 2, '0');
        }
        if (f.length() > 5 || f.equals("070000")) {
          if (f.contains(":")) {
            sb.append(':');
          }
          pad(sb, abs % 60, 2, '0');
        }
        return f.length() + 1;
      }
    }
    return 0;
  }

  /** ".000" prints fixed digits, ".999" drops trailing zeros (and the point when nothing is left). */
  private int fraction(String l, int i, StringBuilder sb) {
    if (i + 1 >= l.length() || (l.charAt(i + 1) != '0' && l.charAt(i + 1) != '9')) {
      return 0;
    }
    char ch = l.charAt(i + 1);
    int j = i + 1;
    while (j < l.length() && l.charAt(j) == ch) {
      j++;
    }
    if (j < l.length() && Character.isDigit(l.charAt(j))) {
      return 0;
    }
    int n = Math.min(j - (i + 1), 9);
    String nanos = String.format("%09d", t.getNano()).substring(0, n);
    if (ch == '9') {
      int end = nanos.length();
      while (end > 0 && nanos.charAt(end - 1) == '0') {
        end--;
      }
      if (end > 0) {
        sb.append(l.charAt(i)).append(nanos, 0, end);
      }
    } else {
      sb.append(l.charAt(i)).append(nanos);
    }
    return j - i;
  }

  private int hour12() {
    int h = t.getHour() % 12;
    return h == 0 ? 12 : h;
  }

  private String abbreviation() {
    ZoneId zone = t.getZone();
    if (zone.equals(ZoneOffset.UTC) || zone.getId().equals("UTC") || zone.getId().equals("Z")) {
      return "UTC";
    }
    String name = zone instanceof ZoneOffset ? "" : ABBREVIATION.format(t);
    if (name.isEmpty() || (name.length() > 3 && (name.startsWith("GMT") || name.startsWith("UTC")))) {
      // tzdata names such zones by their offset ("+03", "+0545"); so does Go
      return t.getOffset().getTotalSeconds() % 3600 == 0 ? format("-07") : format("-0700");
    }
    return name;
  }

  private static void pad(StringBuilder sb, int v, int width, char with) {
    String s = Integer.toString(Math.abs(v));
    if (v < 0) {
      sb.append('-');
    }
    for (int k = s.length(); k < width; k++) {
      sb.append(with);
    }
    sb.append(s);
  }
}
