package io.wsink.ops;

import ch.qos.logback.classic.pattern.Abbreviator;
import ch.qos.logback.classic.pattern.TargetLengthBasedClassNameAbbreviator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.CoreConstants;
import ch.qos.logback.core.LayoutBase;

import java.util.TimeZone;

/**
 * The line logback's {@code PatternLayout} makes of {@value LogbackSetup#PATTERN} (plus the stack trace of an
 * exception, as PatternLayout adds it), written by hand: PatternLayout's parser, converters and date formatter cost
 * about 60 ms of every start, for a pattern that never changes.
 */
final class CompactLayout extends LayoutBase<ILoggingEvent> {

  private static final long DAY_MS = 86_400_000L;
  private static final int LEVEL_WIDTH = 5;

  private final Abbreviator abbreviator = new TargetLengthBasedClassNameAbbreviator(24);
  private final TimeZone zone = TimeZone.getDefault();

  @Override
  public String doLayout(ILoggingEvent event) {
    StringBuilder line = new StringBuilder(128);
    long stamp = event.getTimeStamp();
    long ofDay = Math.floorMod(stamp + zone.getOffset(stamp), DAY_MS);
    digits(line, ofDay / 3_600_000, 2).append(':');
    digits(line, ofDay / 60_000 % 60, 2).append(':');
    digits(line, ofDay / 1000 % 60, 2).append('.');
    digits(line, ofDay % 1000, 3).append(' ');
    String level = event.getLevel().toString();
    line.append(level);
    for (int i = level.length(); i < LEVEL_WIDTH; i++) {
      line.append(' ');
    }
    line.append(' ').append(abbreviator.abbreviate(event.getLoggerName())).append(" - ")
      .append(event.getFormattedMessage()).append(CoreConstants.LINE_SEPARATOR);
    IThrowableProxy thrown = event.getThrowableProxy();
    if (thrown != null) {
      line.append(ThrowableProxyUtil.asString(thrown)); // it ends with a line separator of its own
    }
    return line.toString();
  }

  private static StringBuilder digits(StringBuilder out, long value, int width) {
    String text = Long.toString(value);
    for (int i = text.length(); i < width; i++) {
      out.append('0');
    }
    return out.append(text);
  }
}
