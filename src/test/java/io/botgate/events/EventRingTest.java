package io.botgate.events;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

class EventRingTest {

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void shouldReadBackWhatWasWrittenUntilTheRingComesRoundOverIt() {
    EventRing ring = new EventRing(4096); // four segments of 1 KB
    List<Long> positions = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      positions.add(ring.append(utf8("{\"n\":" + i + ",\"text\":\"café " + "x".repeat(i % 50) + "\"}")));
    }
    int readable = 0;
    for (int i = 0; i < 100; i++) {
      long position = positions.get(i);
      if (ring.holds(position)) {
        readable++;
        String expected = "{\"n\":" + i + ",\"text\":\"café " + "x".repeat(i % 50) + "\"}";
        assertThat(ring.readIfHeld(position, utf8(expected).length)).isEqualTo(utf8(expected));
      }
    }
    assertThat(readable).isBetween(40, 99); // the newest only: the ring went round
    assertThat(ring.holds(positions.get(0))).isFalse();
    assertThat(ring.holds(positions.get(99))).isTrue();
  }

  @Test
  void shouldNeverSplitAnEventAcrossSegmentsNorKeepOneLargerThanASegment() {
    EventRing ring = new EventRing(3 * 1024, 1024); // three segments of 1 KB
    long first = ring.append(new byte[1000]);
    long second = ring.append(new byte[100]); // does not fit after the first: starts the next segment
    assertThat(second).isEqualTo(1024);
    assertThat(ring.holds(first)).isTrue();
    assertThat(ring.append(new byte[1025])).isEqualTo(-1);
    for (int i = 0; i < 20; i++) { // round the three segments a few times
      ring.append(new byte[300]);
    }
    assertThat(ring.holds(first)).isFalse();
  }

  @Test
  void shouldGiveEveryWriterItsOwnPlaceAndNeverATornReadWhenThreadsShareIt() throws InterruptedException {
    // small: the writers go round it thousands of times, each event reserving its own place
    writeFromThreadsAndReadBack(new EventRing(4 * 1024, 1024));
  }

  @Test
  void shouldGiveEveryWriterItsOwnPlaceAndNeverATornReadWhenThreadsWriteInChunks() throws InterruptedException {
    // segments of 64 KB: each writer takes 1 KB chunks and places its small events in them; still round many times
    writeFromThreadsAndReadBack(new EventRing(4 * 64 * 1024, 64 * 1024));
  }

  @Test
  void shouldPlaceAThreadsSmallEventsOneAfterAnotherInItsOwnChunk() throws InterruptedException {
    EventRing ring = new EventRing(4 * 64 * 1024, 64 * 1024); // 1 KB chunks
    long first = ring.append(new byte[100]);
    long[] other = new long[1];
    Thread elsewhere = new Thread(() -> other[0] = ring.append(new byte[100]));
    elsewhere.start();
    elsewhere.join();
    assertThat(ring.append(new byte[100])).isEqualTo(first + 100); // right after its first: its chunk
    assertThat(other[0]).isEqualTo(first + 1024); // the other thread's chunk, after the first's
    assertThat(ring.append(new byte[300])).isEqualTo(first + 2048); // a large event reserves its own place
  }

  private static void writeFromThreadsAndReadBack(EventRing ring) throws InterruptedException {
    Map<Long, byte[]> written = new ConcurrentHashMap<>();
    AtomicInteger torn = new AtomicInteger();
    AtomicInteger checked = new AtomicInteger();
    AtomicInteger abandoned = new AtomicInteger();
    AtomicLong newest = new AtomicLong(-1);
    List<Thread> threads = new ArrayList<>();
    for (int w = 0; w < 3; w++) {
      byte fill = (byte) ('a' + w);
      threads.add(new Thread(() -> {
        for (int i = 0; i < 20_000; i++) {
          byte[] bytes = new byte[10 + i % 90];
          Arrays.fill(bytes, fill);
          long position = ring.append(bytes);
          if (position < 0) {
            abandoned.incrementAndGet(); // held up until the ring came round: wrote nothing
            continue;
          }
          assertThat(written.put(position, bytes)).as("a place given twice").isNull();
          newest.accumulateAndGet(position, Math::max);
        }
      }));
    }
    AtomicBoolean writing = new AtomicBoolean(true);
    // Reads for as long as the writers write, then once more: a fixed number of reads could all come before the
    // first write on a busy machine (the writers not yet scheduled), and check nothing.
    Thread reader = new Thread(() -> {
      for (boolean last = false; !last; ) {
        last = !writing.get();
        long position = newest.get();
        byte[] expected = position < 0 ? null : written.get(position);
        if (expected != null) {
          byte[] read = ring.readIfHeld(position, expected.length);
          checked.incrementAndGet();
          if (read != null && !Arrays.equals(read, expected)) {
            torn.incrementAndGet();
          }
        }
      }
    });
    threads.forEach(Thread::start);
    reader.start();
    for (Thread t : threads) {
      t.join();
    }
    writing.set(false);
    reader.join();
    assertThat(written.size() + abandoned.get()).isEqualTo(60_000); // no two writers were given the same place
    // a write is given up only when its writer was held up for a whole lap of the ring: rare even under load
    assertThat(abandoned.get()).as("writes given up").isLessThan(6_000);
    List<Long> positions = written.keySet().stream().sorted().toList();
    for (int i = 1; i < positions.size(); i++) {
      long previousEnd = positions.get(i - 1) + written.get(positions.get(i - 1)).length;
      assertThat(positions.get(i)).as("event %d starts after the one before it ends", i).isGreaterThanOrEqualTo(previousEnd);
    }
    assertThat(checked.get()).isPositive();
    assertThat(torn.get()).as("reads that returned another writer's bytes").isZero();
  }

  @Test
  void shouldWriteNothingWhenTheRingCameRoundWhileTheWriterWasHeldUp() {
    EventRing ring = new EventRing(2 * 1024, 1024); // two segments of 1 KB
    long late = ring.reserve(100); // a writer reserves its place, then is descheduled...
    List<Long> newer = new ArrayList<>();
    for (int i = 0; i < 30; i++) { // ...while others go round the ring past its place
      byte[] bytes = new byte[100];
      Arrays.fill(bytes, (byte) ('a' + i % 26));
      newer.add(ring.append(bytes));
    }
    byte[] stale = new byte[100];
    Arrays.fill(stale, (byte) '!');
    assertThat(ring.write(late, stale)).isFalse(); // too late: writes nothing
    assertThat(ring.readIfHeld(late, 100)).isNull();
    int intact = 0;
    for (int i = 0; i < newer.size(); i++) {
      byte[] read = ring.readIfHeld(newer.get(i), 100);
      if (read != null) {
        byte[] expected = new byte[100];
        Arrays.fill(expected, (byte) ('a' + i % 26));
        assertThat(read).as("event %d, kept at %d", i, newer.get(i)).isEqualTo(expected);
        intact++;
      }
    }
    assertThat(intact).isBetween(10, 20); // the newest two segments' worth
  }
}
