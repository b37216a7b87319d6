package io.botgate.script;

import org.mozilla.javascript.Context;
import org.mozilla.javascript.EvaluatorException;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Checks that a script compiles, as the engine would compile it (same language level and features, in
 * the sandbox's contexts), without running it: a definition with a broken {@code transformScript} is
 * refused when it is declared rather than failing every execution later.
 */
public final class ScriptSyntax {

  /** What is wrong and where; line and column count from 1 (column 0 when Rhino does not say; line 0: the whole script). */
  public record Problem(int line, int column, String message) {
    @Override
    public String toString() {
      return line == 0 ? message : "syntax error at line " + line + (column > 0 ? ", column " + column : "") + ": " + message;
    }
  }

  private static final SandboxContextFactory FACTORY = new SandboxContextFactory(ScriptLimits.DEFAULTS);
  /** {@code script.maxSourceBytes} of the running engine: a larger source is refused unparsed. */
  private static volatile int maxSourceBytes = ScriptOptions.DEFAULT_MAX_SOURCE_BYTES;

  private ScriptSyntax() {
  }

  static void limitSourceTo(int bytes) {
    maxSourceBytes = bytes;
  }

  /** The first syntax error of {@code source}, if any; a source over {@code script.maxSourceBytes} is one too. */
  public static Optional<Problem> check(String source, String name) {
    long bytes = (long) source.length() * 3 <= maxSourceBytes ? 0 : source.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > maxSourceBytes) {
      return Optional.of(new Problem(0, 0, "the script is " + bytes + " bytes, more than script.maxSourceBytes ("
        + maxSourceBytes + "); it would never run"));
    }
    Context cx = FACTORY.enterContext();
    try {
      cx.compileString(source, name, 1, null);
      return Optional.empty();
    } catch (EvaluatorException e) {
      return Optional.of(new Problem(e.lineNumber(), e.columnNumber(), message(e)));
    } catch (StackOverflowError e) {
      return Optional.of(new Problem(1, 0, "the script is nested too deeply to compile"));
    } finally {
      Context.exit();
    }
  }

  /** What Rhino says when it says no more than that: its parser's message for an unexpected token. */
  private static final String GENERIC = "syntax error";

  /**
   * Rhino's message for a syntax error, saying what it found where it says only "syntax error" ({@code var b = ;}):
   * the token at the error's column of its line ("unexpected ';'"). Rhino's column is on that token, or just past
   * it ({@code 1 + * 2} puts it on the blank after the {@code *}). Any other message is Rhino's own ("missing )
   * after condition", "unterminated string literal").
   */
  static String message(EvaluatorException e) {
    String details = e.details();
    String line = e.lineSource();
    int at = e.columnNumber() - 1;
    if (!GENERIC.equals(details) || line == null || at < 0 || at > line.length()) {
      return details;
    }
    if (at == line.length() || Character.isWhitespace(line.charAt(at))) {
      at--;
    }
    if (at < 0 || Character.isWhitespace(line.charAt(at))) {
      return details;
    }
    int start = at;
    int end = at + 1;
    if (Character.isJavaIdentifierPart(line.charAt(at))) {
      while (start > 0 && Character.isJavaIdentifierPart(line.charAt(start - 1)) && at - start < MAX_TOKEN) {
        start--;
      }
      while (end < line.length() && Character.isJavaIdentifierPart(line.charAt(end)) && end - start < MAX_TOKEN) {
        end++;
      }
    }
    return "unexpected '" + line.substring(start, end) + "'";
  }

  /** The longest word an "unexpected" message quotes. */
  private static final int MAX_TOKEN = 40;
}
