package io.wsink.ops;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import ch.qos.logback.core.spi.ContextAwareBase;

/**
 * wsink's logging set-up, in code: one console appender with the pattern {@value #PATTERN} (made by
 * {@link CompactLayout}), Netty and Hazelcast at WARN, the root at {@code WSINK_LOG_LEVEL} (a system property or an
 * environment variable; default INFO). It does what a
 * logback.xml would, without starting logback's XML configurator, which cost a large part of the start-up time.
 *
 * <p>Someone else's configuration wins: with {@code -Dlogback.configurationFile}, or a {@code logback.xml} or
 * {@code logback-test.xml} on the class path (wsink ships none), logback reads that one as usual.
 */
public final class LogbackSetup extends ContextAwareBase implements Configurator {

  static final String PATTERN = "%d{HH:mm:ss.SSS} %-5level %logger{24} - %msg%n";
  static final String LEVEL_VARIABLE = "WSINK_LOG_LEVEL";

  @Override
  public ExecutionStatus configure(LoggerContext context) {
    ClassLoader loader = LogbackSetup.class.getClassLoader();
    if (System.getProperty("logback.configurationFile") != null || loader.getResource("logback-test.xml") != null
      || loader.getResource("logback.xml") != null) {
      return ExecutionStatus.INVOKE_NEXT_IF_ANY;
    }
    CompactLayout layout = new CompactLayout();
    layout.setContext(context);
    layout.start();
    LayoutWrappingEncoder<ILoggingEvent> encoder = new LayoutWrappingEncoder<>();
    encoder.setContext(context);
    encoder.setLayout(layout);
    encoder.start();
    ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
    console.setContext(context);
    console.setName("STDOUT");
    console.setEncoder(encoder);
    console.start();
    context.getLogger("io.netty").setLevel(Level.WARN);
    context.getLogger("com.hazelcast").setLevel(Level.WARN);
    ch.qos.logback.classic.Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.setLevel(rootLevel());
    root.addAppender(console);
    return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
  }

  /** As logback.xml's {@code ${WSINK_LOG_LEVEL:-INFO}}: a system property, else the environment, else INFO. */
  private static Level rootLevel() {
    String value = System.getProperty(LEVEL_VARIABLE);
    if (value == null) {
      value = System.getenv(LEVEL_VARIABLE);
    }
    return value == null || value.isEmpty() ? Level.INFO : Level.toLevel(value);
  }
}
