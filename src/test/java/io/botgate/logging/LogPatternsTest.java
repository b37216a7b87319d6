package io.botgate.logging;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every log line of the gateway's own is written from a message pattern with its values as arguments: the pattern
 * is what {@link RepeatedLines} tells kinds by, so a message built by concatenation (a script's name, a node, a
 * path in it) was a kind of its own each time, and a flood of it was never limited as repeats.
 */
class LogPatternsTest {

  /** A call that takes a message: {@code LOG.warn(}, or the {@code .log(} ending a {@code LOG.atWarn()...} chain. */
  private static final Pattern CALL = Pattern.compile("\\bLOG\\s*\\.\\s*(trace|debug|info|warn|error|at\\w+)\\s*\\(");

  @Test
  void shouldWriteEveryLogLineFromAPatternNotAMessageBuiltPerLine() throws IOException {
    List<String> built = new ArrayList<>();
    try (Stream<Path> files = Files.walk(Path.of("src/main/java"))) {
      for (Path file : files.filter(f -> f.toString().endsWith(".java")).sorted().toList()) {
        String source = Files.readString(file);
        Matcher m = CALL.matcher(source);
        while (m.find()) {
          int open = m.end() - 1;
          if (m.group(1).startsWith("at")) {
            open = source.indexOf(".log(", m.end());
            assertThat(open).as("%s: a fluent log call ends with .log(", file).isPositive();
            open += ".log".length();
          }
          String message = firstArgument(source, open);
          if (!constant(message)) {
            int line = (int) source.substring(0, m.start()).chars().filter(c -> c == '\n').count() + 1;
            built.add(file + ":" + line + ": " + message.replaceAll("\\s+", " "));
          }
        }
      }
    }
    assertThat(built).as("log messages not a constant pattern (pass the values as arguments, {})").isEmpty();
  }

  /** String literals joined by {@code +}, or a choice between two such (a limit hit or another error). */
  private static boolean constant(String message) {
    String literal = "\"(?:\\\\.|[^\"\\\\])*\"";
    String literals = literal + "(?:\\s*\\+\\s*" + literal + ")*";
    return message.matches(literals) || message.matches("(?s).*\\?\\s*" + literals + "\\s*:\\s*" + literals);
  }

  /** The text of a call's first argument, from the opening parenthesis at {@code open}. */
  private static String firstArgument(String source, int open) {
    int depth = 0;
    boolean quoted = false;
    for (int i = open + 1; i < source.length(); i++) {
      char c = source.charAt(i);
      if (quoted) {
        if (c == '\\') {
          i++;
        } else if (c == '"') {
          quoted = false;
        }
      } else if (c == '"') {
        quoted = true;
      } else if (c == '(' || c == '[' || c == '{') {
        depth++;
      } else if ((c == ')' || c == ']' || c == '}') && depth > 0) {
        depth--;
      } else if ((c == ',' || c == ')') && depth == 0) {
        return source.substring(open + 1, i).trim();
      }
    }
    throw new AssertionError("unterminated call at " + open);
  }
}
