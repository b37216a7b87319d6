package io.botgate.events;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class EventRingTest {

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void shouldReadBackWhatWasWrittenUntilTheRingComesRoundOverIt() {
    EventRing ring = new EventRing(4096); // one segment of 4 KB
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
        assertThat(ring.read(position, utf8(expected).length)).isEqualTo(utf8(expected));
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
}
