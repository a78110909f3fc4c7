package io.wsink.ops;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.spi.LoggingEvent;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@link CompactLayout} writes exactly what logback's PatternLayout makes of {@link LogbackSetup#PATTERN}: same time,
 * padded level, abbreviated logger, message and stack trace.
 */
class CompactLayoutTest {

  @Test
  void linesAreThoseOfThePatternLayout() {
    LoggerContext context = new LoggerContext();
    PatternLayout pattern = new PatternLayout();
    pattern.setContext(context);
    pattern.setPattern(LogbackSetup.PATTERN);
    pattern.start();
    CompactLayout compact = new CompactLayout();
    compact.setContext(context);
    compact.start();

    IllegalStateException failure = new IllegalStateException("store closed", new java.io.IOException("disk"));
    List<LoggingEvent> events = List.of(
      event(context, "io.wsink.api.RestVerticle", Level.INFO, "REST API listening on {}", null, "http://127.0.0.1:9081"),
      event(context, "io.wsink.sink.WebSocketSinkVerticle", Level.WARN, "redial in {} ms", null, 250),
      event(context, "x", Level.ERROR, "failed", failure),
      event(context, "io.netty.channel.DefaultChannelPipeline", Level.DEBUG, "trace ä 東京", null),
      event(context, "short", Level.TRACE, "", null));
    long[] stamps = {0L, 1_733_011_200_123L, 1_733_054_399_999L, 1_733_011_200_005L, 86_399_999L};
    for (int i = 0; i < events.size(); i++) {
      LoggingEvent e = events.get(i);
      e.setTimeStamp(stamps[i]);
      assertEquals(pattern.doLayout(e), compact.doLayout(e), "line " + i);
    }
  }

  private static LoggingEvent event(LoggerContext context, String logger, Level level, String message, Throwable thrown,
                                    Object... args) {
    return new LoggingEvent(LogbackSetup.class.getName(), context.getLogger(logger), level, message, thrown, args);
  }
}
