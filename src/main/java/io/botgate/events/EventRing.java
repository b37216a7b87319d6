package io.botgate.events;

import java.util.Arrays;

/**
 * The text of kept debug events, as UTF-8 in a few large arrays written round like a ring. Keeping each
 * event as its own string made the histories hundreds of thousands of medium-lived objects that every
 * young collection copied: a fifth of the gateway's CPU under load and double its p99. The arrays are
 * allocated once, as needed, and live in the old generation; an event's bytes stay readable until the ring
 * has gone round once past them. Not thread-safe: {@link DebugStream} guards it.
 */
final class EventRing {

  static final int MAX_SEGMENT = 16 << 20;

  private final int segmentSize;
  private final byte[][] segments;
  private final long capacity;
  /** The logical position after the last byte written; positions only grow. */
  private long end;

  EventRing(long capacityBytes) {
    this(capacityBytes, MAX_SEGMENT);
  }

  EventRing(long capacityBytes, int maxSegment) {
    segmentSize = (int) Math.max(1024, Math.min(maxSegment, capacityBytes));
    segments = new byte[(int) Math.max(1, capacityBytes / segmentSize)][];
    capacity = (long) segments.length * segmentSize;
  }

  long capacity() {
    return capacity;
  }

  /** Writes the text; returns its position, or -1 when it is larger than a segment (not kept). */
  long append(byte[] bytes) {
    if (bytes.length > segmentSize) {
      return -1;
    }
    if (end % segmentSize + bytes.length > segmentSize) {
      end += segmentSize - end % segmentSize; // an event never spans two segments
    }
    int index = (int) (end / segmentSize % segments.length);
    if (segments[index] == null) {
      segments[index] = new byte[segmentSize];
    }
    System.arraycopy(bytes, 0, segments[index], (int) (end % segmentSize), bytes.length);
    long position = end;
    end += bytes.length;
    return position;
  }

  /** Whether the text written at {@code position} is still there: the ring has not come round over it. */
  boolean holds(long position) {
    return position >= 0 && end - position <= capacity;
  }

  byte[] read(long position, int length) {
    int index = (int) (position / segmentSize % segments.length);
    int from = (int) (position % segmentSize);
    return Arrays.copyOfRange(segments[index], from, from + length);
  }
}
