package io.botgate.events;

import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The text of kept debug events, as UTF-8 in a few large arrays written round like a ring. Keeping each
 * event as its own string made the histories hundreds of thousands of medium-lived objects that every
 * young collection copied: a fifth of the gateway's CPU under load and double its p99. The arrays are
 * allocated once, as needed, and live in the old generation; an event's bytes stay readable until the ring
 * has gone round once past them.
 * <p>
 * Thread-safe without a lock (two script threads emitting contended on one, and ran at 1.2 times one
 * thread's rate): a writer reserves its place by moving the end on, then copies; a reader copies, then checks
 * that the ring has not come round over what it copied ({@link #readIfHeld}). A reader finds a position only
 * in a history, which lists it once its copy is written.
 */
final class EventRing {

  static final int MAX_SEGMENT = 16 << 20;

  private final int segmentSize;
  private final AtomicReferenceArray<byte[]> segments;
  private final long capacity;
  /** The logical position after the last byte reserved; positions only grow. */
  private final AtomicLong end = new AtomicLong();

  EventRing(long capacityBytes) {
    this(capacityBytes, MAX_SEGMENT);
  }

  EventRing(long capacityBytes, int maxSegment) {
    segmentSize = (int) Math.max(1024, Math.min(maxSegment, capacityBytes));
    segments = new AtomicReferenceArray<>((int) Math.max(1, capacityBytes / segmentSize));
    capacity = (long) segments.length() * segmentSize;
  }

  long capacity() {
    return capacity;
  }

  /** Writes the text; returns its position, or -1 when it is larger than a segment (not kept). */
  long append(byte[] bytes) {
    if (bytes.length > segmentSize) {
      return -1;
    }
    long position;
    long reserved;
    do {
      reserved = end.get();
      // an event never spans two segments
      position = reserved % segmentSize + bytes.length > segmentSize ? reserved + segmentSize - reserved % segmentSize
        : reserved;
    } while (!end.compareAndSet(reserved, position + bytes.length));
    int index = (int) (position / segmentSize % segments.length());
    byte[] segment = segments.get(index);
    if (segment == null) {
      segments.compareAndSet(index, null, new byte[segmentSize]);
      segment = segments.get(index);
    }
    System.arraycopy(bytes, 0, segment, (int) (position % segmentSize), bytes.length);
    return position;
  }

  /** Whether the text written at {@code position} is still there: the ring has not come round over it. */
  boolean holds(long position) {
    return position >= 0 && end.get() - position <= capacity;
  }

  /** A copy of the text at {@code position}, or null when the ring has come round over it, before or meanwhile. */
  byte[] readIfHeld(long position, int length) {
    if (!holds(position)) {
      return null;
    }
    int index = (int) (position / segmentSize % segments.length());
    int from = (int) (position % segmentSize);
    byte[] copy = Arrays.copyOfRange(segments.get(index), from, from + length);
    VarHandle.acquireFence(); // the copy is read before the end is read again
    return holds(position) ? copy : null;
  }
}
