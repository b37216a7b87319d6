package io.botgate.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.CoreConstants;
import ch.qos.logback.core.LayoutBase;
import org.slf4j.event.KeyValuePair;

import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;

/**
 * The readable line: time in UTC, level, the logger's simple name, the message, then the structured fields
 * as {@code key="value"}, and a stack trace when there is one, as {@code exception="..."}. One event is one
 * line: control characters in the message, the values and the stack trace are escaped. Written by hand rather
 * than with Logback's PatternLayout, whose pattern parser and converters cost a noticeable part of the start-up.
 */
final class TextLayout extends LayoutBase<ILoggingEvent> {

  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'")
    .withZone(ZoneOffset.UTC);

  @Override
  public String doLayout(ILoggingEvent event) {
    StringBuilder line = new StringBuilder(128);
    TIME.formatTo(event.getInstant(), line);
    String level = event.getLevel().toString();
    line.append(' ').append(level).append(" ".repeat(Math.max(1, 6 - level.length())));
    String logger = event.getLoggerName();
    line.append(logger, logger.lastIndexOf('.') + 1, logger.length()).append(" - ");
    escaped(line, event.getFormattedMessage(), false);
    List<KeyValuePair> fields = event.getKeyValuePairs();
    if (fields != null) {
      for (KeyValuePair field : fields) {
        line.append(' ').append(field.key).append("=\"");
        escaped(line, String.valueOf(field.value), true);
        line.append('"');
      }
    }
    IThrowableProxy thrown = event.getThrowableProxy();
    if (thrown != null) {
      // on the same line too, its line breaks escaped: an exception's message may quote what a client sent
      line.append(" exception=\"");
      escaped(line, ThrowableProxyUtil.asString(thrown), true);
      line.append('"');
    }
    line.append(CoreConstants.LINE_SEPARATOR);
    return line.toString();
  }

  /**
   * Appends {@code text} with its control characters written as escapes ({@code \n}, {@code \u0000}), so that
   * nothing a client sent (a session id, an integration's answer) can end the line and forge another one. In a
   * field's value the quote and the backslash are escaped too, so {@code key="value"} reads back unambiguously.
   */
  static void escaped(StringBuilder line, String text, boolean quoted) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '\n' -> line.append("\\n");
        case '\r' -> line.append("\\r");
        case '\t' -> line.append("\\t");
        case '"', '\\' -> {
          if (quoted) {
            line.append('\\');
          }
          line.append(c);
        }
        default -> {
          if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
            line.append(String.format("\\u%04x", (int) c));
          } else {
            line.append(c);
          }
        }
      }
    }
  }
}
