package io.botgate.integration;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** How long a {@code Retry-After} asks to wait, in each form RFC 9110 gives it, and what is not taken from it. */
class RetryAfterTest {

  /** Sun, 06 Nov 1994 08:49:37 GMT, the RFC's own example date. */
  static final long RFC_EXAMPLE = 784111777_000L;

  @Test
  void shouldReadDelaySecondsAndEachFormOfHttpDate() {
    assertThat(RetryAfter.millis("0", 0)).isZero();
    assertThat(RetryAfter.millis(" 2 ", 0)).isEqualTo(2_000);
    long now = RFC_EXAMPLE - 3_000;
    assertThat(RetryAfter.millis("Sun, 06 Nov 1994 08:49:37 GMT", now)).isEqualTo(3_000);
    assertThat(RetryAfter.millis("Sunday, 06-Nov-94 08:49:37 GMT", now)).isEqualTo(3_000);
    assertThat(RetryAfter.millis("Sun Nov  6 08:49:37 1994", now)).isEqualTo(3_000);
  }

  @Test
  void shouldAskNoWaitForADateAlreadyPast() {
    assertThat(RetryAfter.millis("Sun, 06 Nov 1994 08:49:37 GMT", RFC_EXAMPLE + 60_000)).isZero();
  }

  @Test
  void shouldCapWhatNoDeadlineCouldWaitFor() {
    assertThat(RetryAfter.millis("301", 0)).isEqualTo(RetryAfter.MAX_MS);
    assertThat(RetryAfter.millis("99999999999999999999999999", 0)).isEqualTo(RetryAfter.MAX_MS);
    assertThat(RetryAfter.millis("Fri, 31 Dec 9999 23:59:59 GMT", 0)).isEqualTo(RetryAfter.MAX_MS);
    assertThat(RetryAfter.MAX_MS).isEqualTo(IntegrationDefinition.MAX_TIMEOUT_MS);
  }

  @Test
  void shouldTakeNothingFromAValueThatIsNeitherForm() {
    for (String value : new String[] {null, "", " ", "-5", "1.5", "soon", "1e3", "0x10", "Sun, 06 Nov"}) {
      assertThat(RetryAfter.millis(value, 0)).as("'%s'", value).isEqualTo(RetryAfter.NONE);
    }
  }

  @Test
  void shouldBeReadOnA429OrA503Only() {
    assertThat(RetryAfter.millis(429, "1", 0)).isEqualTo(1_000);
    assertThat(RetryAfter.millis(503, "1", 0)).isEqualTo(1_000);
    for (int status : new int[] {200, 301, 500, 502, 504}) {
      assertThat(RetryAfter.millis(status, "1", 0)).as("%d", status).isEqualTo(RetryAfter.NONE);
    }
  }
}
