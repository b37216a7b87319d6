package io.botgate.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/** At most so many lines a second of one kind, and so many in all; then one line says how many were not written. */
class RepeatedLinesTest {

  private static final long SECOND = 1_800_000_000L;
  private final LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
  private final RepeatedLines repeats = new RepeatedLines(10, 0, context);

  private ILoggingEvent line(String logger, Level level, String pattern, long millis) {
    LoggingEvent event = new LoggingEvent(Logger.FQCN, context.getLogger(logger), level, pattern, null,
      new Object[] {"x"});
    event.setTimeStamp(millis);
    return event;
  }

  private long written(String logger, Level level, String pattern, long millis, int count) {
    return IntStream.range(0, count).filter(i -> repeats.admit(line(logger, level, pattern, millis + i % 1000)))
      .count();
  }

  @Test
  void shouldWriteTheFirstLinesOfAKindEachSecondAndSayHowManyWereNot() {
    long start = SECOND * 1000;
    assertThat(written("io.botgate.api.ApiRoutes", Level.WARN, "limit hit: {}", start, 25)).isEqualTo(10);
    assertThat(written("io.botgate.api.ApiRoutes", Level.WARN, "request {} {} failed", start, 3))
      .as("another kind").isEqualTo(3);
    assertThat(written("io.botgate.api.ApiRoutes", Level.ERROR, "limit hit: {}", start, 3))
      .as("another level").isEqualTo(3);
    assertThat(repeats.ended(start + 999)).as("the second is not over").isEmpty();

    List<ILoggingEvent> said = repeats.ended(start + 1000);

    assertThat(said).hasSize(1);
    ILoggingEvent summary = said.get(0);
    assertThat(summary.getLoggerName()).isEqualTo("io.botgate.api.ApiRoutes");
    assertThat(summary.getLevel()).isEqualTo(Level.WARN);
    assertThat(summary.getFormattedMessage()).startsWith("15 more lines like \"limit hit: {}\" in the second from ")
      .endsWith("were not written (at most 10 a second of each kind: log.repeats.perSecond)");
    assertThat(summary.getKeyValuePairs()).anyMatch(kv -> kv.key.equals("suppressed") && kv.value.equals(15L));
    assertThat(repeats.kinds()).as("what is over is forgotten").isZero();
    assertThat(written("io.botgate.api.ApiRoutes", Level.WARN, "limit hit: {}", start + 1000, 25))
      .as("the next second").isEqualTo(10);
  }

  @Test
  void shouldCountALineOfASecondAlreadyOverAsNotWritten() {
    long start = SECOND * 1000;
    assertThat(written("a", Level.WARN, "p {}", start + 1500, 1)).isEqualTo(1);
    assertThat(written("a", Level.WARN, "p {}", start + 999, 1)).as("late").isZero();

    assertThat(repeats.ended(start + 2000)).singleElement().satisfies(summary ->
      assertThat(summary.getFormattedMessage()).startsWith("1 more lines like \"p {}\""));
  }

  @Test
  void shouldSayWhatTheFirstLineOfTheNextSecondEndedBeforeTheSecondsWereLookedAt() {
    long start = SECOND * 1000;
    written("a", Level.INFO, "p {}", start, 12);
    written("a", Level.INFO, "p {}", start + 1000, 1);

    assertThat(repeats.ended(start + 1001)).singleElement().satisfies(summary -> {
      assertThat(summary.getFormattedMessage()).startsWith("2 more lines like \"p {}\"");
      assertThat(summary.getLevel()).isEqualTo(Level.INFO);
    });
  }

  @Test
  void shouldNeverLimitTheAccessLog() {
    assertThat(written(AccessLog.LOGGER, Level.INFO, "{} {} {}", SECOND * 1000, 50)).isEqualTo(50);
  }

  @Test
  void shouldFollowABoundedNumberOfKindsWhateverTheMessages() {
    long start = SECOND * 1000;
    long written = IntStream.range(0, 5000).filter(i -> repeats.admit(line("built", Level.WARN,
      "request GET /path/" + i + " failed", start))).count();

    assertThat(repeats.kinds()).isLessThanOrEqualTo(RepeatedLines.MAX_KINDS + 1);
    assertThat(written).isEqualTo(RepeatedLines.MAX_KINDS + 10);
    assertThat(repeats.ended(start + 1000)).singleElement().satisfies(summary -> assertThat(
      summary.getFormattedMessage()).startsWith((5000 - RepeatedLines.MAX_KINDS - 10) + " more lines of this logger and level"));
  }

  @Test
  void shouldWriteEveryLineWithoutALimit() {
    RepeatedLines all = new RepeatedLines(0, 0, context);
    assertThat(IntStream.range(0, 100).filter(i -> all.admit(line("a", Level.WARN, "p", SECOND * 1000))).count())
      .isEqualTo(100);
  }

  @Test
  void shouldWriteNoMoreLinesASecondInAllWhateverTheirKinds() {
    RepeatedLines bounded = new RepeatedLines(10, 100, context);
    long start = SECOND * 1000;
    long written = IntStream.range(0, 5000).filter(i -> bounded.admit(line("built", Level.WARN,
      "request GET /path/" + i + " failed", start + i % 1000))).count();

    assertThat(written).isEqualTo(100);
    assertThat(bounded.ended(start + 1000)).singleElement().satisfies(summary -> {
      assertThat(summary.getLoggerName()).isEqualTo(RepeatedLines.class.getName());
      assertThat(summary.getLevel()).isEqualTo(Level.WARN);
      assertThat(summary.getFormattedMessage()).startsWith("4900 more lines in the second from ")
        .endsWith(" were not written (at most 100 a second in all: log.lines.perSecond)");
      assertThat(summary.getKeyValuePairs()).anyMatch(kv -> kv.key.equals("suppressed") && kv.value.equals(4900L));
    });
    assertThat(IntStream.range(0, 300).filter(i -> bounded.admit(line("built", Level.WARN, "p " + i, start + 1000)))
      .count()).as("the next second").isEqualTo(100);
  }

  @Test
  void shouldSayInFewLinesWhatManyKindsAtTheirLimitLeftOut() {
    RepeatedLines bounded = new RepeatedLines(10, 100, context);
    long start = SECOND * 1000;
    long written = 0;
    for (int kind = 0; kind < 50; kind++) {
      written += IntStream.range(0, 20).filter(i -> bounded.admit(line("k", Level.WARN, "p {}", start))).count();
      int k = kind;
      written += IntStream.range(0, 20).filter(i -> bounded.admit(line("k", Level.WARN, "kind " + k + " {}", start)))
        .count();
    }
    List<ILoggingEvent> said = bounded.ended(start + 1000);

    assertThat(written).isEqualTo(100);
    assertThat(said).as("one line for all, one per kind that wrote its limit").hasSizeLessThanOrEqualTo(100 / 10 + 1);
    long suppressed = said.stream().mapToLong(l -> l.getKeyValuePairs().stream().filter(kv -> kv.key.equals("suppressed"))
      .mapToLong(kv -> (Long) kv.value).sum()).sum();
    assertThat(written + suppressed).as("every line written or counted once").isEqualTo(50 * 40);
  }

  @Test
  void shouldCountALineStampedInAnEarlierSecondInTheLatestOneForAll() {
    RepeatedLines bounded = new RepeatedLines(0, 2, context);
    long start = SECOND * 1000;
    assertThat(bounded.admit(line("a", Level.INFO, "p", start + 1000))).isTrue();
    assertThat(bounded.admit(line("b", Level.INFO, "q", start + 999))).as("late, but within the bound").isTrue();
    assertThat(bounded.admit(line("c", Level.INFO, "r", start + 998))).isFalse();
    assertThat(bounded.admit(line(AccessLog.LOGGER, Level.INFO, "{} {} {}", start + 1000))).as("the access log").isTrue();

    assertThat(bounded.ended(start + 2000)).singleElement().satisfies(summary ->
      assertThat(summary.getFormattedMessage()).startsWith("1 more lines in the second from " + java.time.Instant.ofEpochSecond(SECOND + 1)));
  }
}
