package io.botgate.integration;

import io.botgate.events.SecretMask;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A string with CB placeholders ({@code {$botContext.x}}, {@code {$env.x}}, {@code {Integration.field}}...),
 * parsed once when the definition is loaded and rendered for every call.
 */
final class Template {

  private static final Pattern PLACEHOLDER =
    Pattern.compile("\\{(\\$[A-Za-z_][\\w.\\-]*|[A-Za-z_][\\w\\-]*\\.[\\w.\\-]+)}");

  private final String source;
  private final List<String> literals;
  private final List<Placeholder> placeholders;
  private final boolean hasEnv;

  private Template(String source, List<String> literals, List<Placeholder> placeholders) {
    this.source = source;
    this.literals = literals;
    this.placeholders = placeholders;
    this.hasEnv = placeholders.stream().anyMatch(p -> p.kind() == Placeholder.Kind.ENV);
  }

  static Template parse(String source) {
    List<String> literals = new ArrayList<>();
    List<Placeholder> placeholders = new ArrayList<>();
    Matcher m = PLACEHOLDER.matcher(source);
    int last = 0;
    while (m.find()) {
      literals.add(source.substring(last, m.start()));
      placeholders.add(Placeholder.of(m.group(1)));
      last = m.end();
    }
    literals.add(source.substring(last));
    return new Template(source, literals, placeholders);
  }

  String source() {
    return source;
  }

  List<Placeholder> placeholders() {
    return placeholders;
  }

  /** The literal text around the placeholders: one more than there are placeholders. */
  List<String> literals() {
    return literals;
  }

  boolean isConstant() {
    return placeholders.isEmpty();
  }

  /** Whether an {@code {$env.x}} value lands in it, so its shown form differs from what is sent. */
  boolean hasEnv() {
    return hasEnv;
  }

  /** The source with every placeholder removed: what the definition itself spells out. */
  static String withoutPlaceholders(String text) {
    return PLACEHOLDER.matcher(text).replaceAll("");
  }

  /**
   * Renders with each value passed through {@code encode} for where it lands.
   *
   * @param where names the spot for error messages, e.g. {@code "query 'q'"}
   * @throws TemplateRejection when a placeholder has no value or its value contains a newline
   */
  String render(PlaceholderValues values, UnaryOperator<String> encode, String where) {
    if (placeholders.isEmpty()) {
      return source;
    }
    StringBuilder out = new StringBuilder(source.length() + 32);
    render(values, encode, where, out, null);
    return out.toString();
  }

  /**
   * Renders into {@code out} and, when {@code shown} is not null, into {@code shown} the same text with
   * each {@code {$env.x}} value replaced by the mask at the very place it lands (its position, not its
   * text: an env value may be as short as "1").
   */
  void render(PlaceholderValues values, UnaryOperator<String> encode, String where, StringBuilder out,
              StringBuilder shown) {
    render(values, encode, where, out, shown, false);
  }

  /**
   * As {@link #render(PlaceholderValues, UnaryOperator, String, StringBuilder, StringBuilder)} for a header
   * value, sent as it is: a value with any control character but a tab rejects the call.
   */
  void renderHeader(PlaceholderValues values, String where, StringBuilder out, StringBuilder shown) {
    render(values, v -> v, where, out, shown, true);
  }

  /** A header value, as {@link #renderHeader(PlaceholderValues, String, StringBuilder, StringBuilder)}. */
  String renderHeader(PlaceholderValues values, String where) {
    if (placeholders.isEmpty()) {
      return source;
    }
    StringBuilder out = new StringBuilder(source.length() + 32);
    render(values, v -> v, where, out, null, true);
    return out.toString();
  }

  private void render(PlaceholderValues values, UnaryOperator<String> encode, String where, StringBuilder out,
                      StringBuilder shown, boolean header) {
    for (int i = 0; i < placeholders.size(); i++) {
      out.append(literals.get(i));
      Placeholder p = placeholders.get(i);
      String value = checkedValue(values, p, where);
      if (header) {
        checkHeaderValue(value, p, where);
      }
      String encoded = encode.apply(value);
      out.append(encoded);
      if (shown != null) {
        shown.append(literals.get(i)).append(p.kind() == Placeholder.Kind.ENV ? SecretMask.MASK : encoded);
      }
    }
    out.append(literals.get(literals.size() - 1));
    if (shown != null) {
      shown.append(literals.get(literals.size() - 1));
    }
  }

  /**
   * The value of a placeholder, which must exist and hold no newline.
   *
   * @throws TemplateRejection otherwise
   */
  static String checkedValue(PlaceholderValues values, Placeholder p, String where) {
    String value = values.valueOf(p);
    if (value == null) {
      throw new TemplateRejection(p + " in " + where + " has no value");
    }
    if (value.indexOf('\n') >= 0 || value.indexOf('\r') >= 0) {
      throw new TemplateRejection("the value of " + p + " in " + where
        + " contains a newline; CB rejects such calls to prevent header and body injection");
    }
    return value;
  }

  /**
   * Rejects a value with a control character other than tab (RFC 9110 5.5: a field value holds visible
   * characters, spaces and tabs). The value itself is never quoted: a header may carry a secret.
   */
  private static void checkHeaderValue(String value, Placeholder p, String where) {
    int at = HeaderSyntax.controlAt(value);
    if (at >= 0) {
      throw new TemplateRejection("the value of " + p + " in " + where + " contains the control character "
        + HeaderSyntax.describe(value.charAt(at)) + "; a header value may hold no control character but a tab");
    }
    int wide = HeaderSyntax.pastLatin1At(value);
    if (wide >= 0) {
      throw new TemplateRejection("the value of " + p + " in " + where + " " + HeaderSyntax.pastLatin1(value, wide));
    }
  }

  /** One placeholder: a {@code $}-rooted name or an {@code Integration.field} reference. */
  record Placeholder(Kind kind, String name) {

    enum Kind { BOT_VARIABLE, SLOT, ENV, CONVERSATION_ID, USER_MESSAGE, FIELD, UNKNOWN }

    static Placeholder of(String token) {
      if (!token.startsWith("$")) {
        return new Placeholder(Kind.FIELD, token);
      }
      String body = token.substring(1);
      if (body.startsWith("botContext.slot.")) {
        return new Placeholder(Kind.SLOT, body.substring("botContext.slot.".length()));
      }
      if (body.startsWith("botContext.")) {
        return new Placeholder(Kind.BOT_VARIABLE, body.substring("botContext.".length()));
      }
      if (body.startsWith("env.")) {
        return new Placeholder(Kind.ENV, body.substring("env.".length()));
      }
      return switch (body) {
        case "conversationId" -> new Placeholder(Kind.CONVERSATION_ID, body);
        case "userMessage", "query" -> new Placeholder(Kind.USER_MESSAGE, body);
        default -> new Placeholder(Kind.UNKNOWN, body);
      };
    }

    @Override
    public String toString() {
      return switch (kind) {
        case BOT_VARIABLE -> "{$botContext." + name + "}";
        case SLOT -> "{$botContext.slot." + name + "}";
        case ENV -> "{$env." + name + "}";
        case FIELD -> "{" + name + "}";
        default -> "{$" + name + "}";
      };
    }
  }
}
