package io.botgate.integration;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** How the finish event's text walks skip JSON strings: brackets and escaped quotes inside a string are not read. */
class JsonStringSkipTest {

  private static boolean nestsDeeperThan(String text, int limit) {
    return ExchangeTrace.nestsDeeperThan(text.length(), text::charAt, limit);
  }

  @Test
  void shouldFindTheClosingQuotePastEscapedOnesOrTheEndOfAnUnclosedString() {
    String text = "{\"a\\\"b\\\\\": 1}";
    assertThat(ExchangeTrace.closingQuote(1, text.length(), text::charAt)).isEqualTo(8); // {"a\"b\\": the quote after the escaped backslash
    String unclosed = "[\"ab\\\"";
    assertThat(ExchangeTrace.closingQuote(1, unclosed.length(), unclosed::charAt)).isEqualTo(unclosed.length());
  }

  @Test
  void shouldNotCountBracketsInsideStringsTowardTheNesting() {
    String brackets = "[[\"" + "[".repeat(40) + "\\\"" + "{".repeat(40) + "\"]]";
    assertThat(nestsDeeperThan(brackets, 3)).isFalse();
    String deep = "[\"\\\"\"," + "[".repeat(10) + "]".repeat(10) + "]" + " ".repeat(20);
    assertThat(nestsDeeperThan(deep, 3)).isTrue();
  }
}
