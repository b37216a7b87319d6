package io.botgate.events;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The text of kept debug events, as UTF-8 in a few large arrays written round like a ring. Keeping each
 * event as its own string made the histories hundreds of thousands of medium-lived objects that every
 * young collection copied: a fifth of the gateway's CPU under load and double its p99. The arrays are large
 * (humongous to G1: never copied) and an event's bytes stay readable until the ring has come round to its
 * segment again.
 * <p>
 * Thread-safe without a lock (two script threads emitting contended on one, and ran at 1.2 times one
 * thread's rate): a writer reserves its place by moving the end on, then copies. Each time the ring comes
 * round to a segment, the segment gets a fresh array for that lap: a writer that was held up after its
 * reservation until the ring came round again (a thread descheduled on a busy machine) then finds a newer
 * lap's array and writes nothing, instead of writing over a newer event another session's reader is copying.
 * A reader finds a position only in a history, which lists it once its copy is written; the array of its lap
 * holds only that lap's events, so a copy from it is never torn.
 * <p>
 * A writer thread reserves a chunk of a segment at once ({@link #chunkSize} bytes, one move of the end) and
 * places its small events in it one after the other: moving the shared end once per event made two
 * threads fight over its cache line for every event (two script threads ran 1.25 times one). A chunk is
 * its thread's alone, so no two writers are ever given the same place; its events are written like any
 * other (the lap check above holds for each). A chunk left unused while the end moved on by more than a
 * segment is given up, so an event is never placed far behind the newest ones (it would be the first to
 * go). Events larger than a quarter of a chunk reserve their own place. Positions therefore increase per
 * thread, not across threads.
 */
final class EventRing {

  static final int MAX_SEGMENT = 16 << 20;

  /** One lap of one segment: the array written by the events reserved in it on that lap only. */
  private record Segment(long lap, byte[] bytes) {
  }

  private final int segmentSize;
  private final AtomicReferenceArray<Segment> segments;
  private final long capacity;
  /** The logical position after the last byte reserved; positions only grow. */
  private final AtomicLong end = new AtomicLong();
  /** Bytes a writer thread reserves at once for its small events: a 64th of a segment, at most {@link #CHUNK}. */
  private final int chunkSize;
  /** Each writer thread's current chunk (of this ring). */
  private final ThreadLocal<Chunk> chunks = ThreadLocal.withInitial(Chunk::new);

  /** The part of a chunk a thread has not used yet: {@code [next, limit)}. Used by its own thread only. */
  private static final class Chunk {
    long next;
    long limit;
  }

  EventRing(long capacityBytes) {
    this(capacityBytes, MAX_SEGMENT);
  }

  EventRing(long capacityBytes, int maxSegment) {
    // four segments or more (from 4 KB): coming round to a segment drops the whole of it, a quarter at most
    segmentSize = (int) Math.max(1024, Math.min(maxSegment, capacityBytes / 4));
    segments = new AtomicReferenceArray<>((int) Math.max(1, capacityBytes / segmentSize));
    capacity = (long) segments.length() * segmentSize;
    chunkSize = Math.max(1, Math.min(CHUNK, segmentSize / 64));
  }

  /** The largest chunk a writer reserves at once. */
  static final int CHUNK = 64 * 1024;

  long capacity() {
    return capacity;
  }

  /** Writes the text; returns its position, or -1 when it is larger than a segment or the ring came round first. */
  long append(byte[] bytes) {
    long position = reserve(bytes.length);
    if (position < 0) {
      return -1;
    }
    if (!write(position, bytes)) {
      dropChunk();
      return -1;
    }
    return position;
  }

  /**
   * Reserves {@code length} bytes for the calling thread: from its chunk when the event is small, taking a
   * new chunk when the current one is full or stale; returns where they start, or -1 when larger than a segment.
   */
  long reserve(int length) {
    if (length > chunkSize / 4) {
      return reserveAlone(length);
    }
    Chunk chunk = chunks.get();
    long position = chunk.next;
    // stale: the end moved on by more than a segment since the chunk was taken (a thread that emits rarely)
    if (position + length > chunk.limit || end.get() - chunk.limit > segmentSize) {
      position = reserveAlone(chunkSize);
      chunk.limit = position + chunkSize;
    }
    chunk.next = position + length;
    return position;
  }

  /** Gives up the calling thread's chunk (its write came too late: the ring came round over it). */
  private void dropChunk() {
    Chunk chunk = chunks.get();
    chunk.next = chunk.limit;
  }

  /** Moves the end on by {@code length} bytes; returns where they start, or -1 when larger than a segment. */
  private long reserveAlone(int length) {
    if (length > segmentSize) {
      return -1;
    }
    long position;
    long reserved;
    do {
      reserved = end.get();
      // an event never spans two segments
      position = reserved % segmentSize + length > segmentSize ? reserved + segmentSize - reserved % segmentSize
        : reserved;
    } while (!end.compareAndSet(reserved, position + length));
    return position;
  }

  /**
   * Copies the text to its reserved place; false, writing nothing, when the ring has already come round to
   * that segment on a later lap.
   */
  boolean write(long position, byte[] bytes) {
    int index = index(position);
    long lap = position / capacity;
    Segment segment = segments.get(index);
    while (segment == null || segment.lap < lap) {
      Segment fresh = new Segment(lap, new byte[segmentSize]);
      segment = segments.compareAndSet(index, segment, fresh) ? fresh : segments.get(index);
    }
    if (segment.lap != lap) {
      return false;
    }
    System.arraycopy(bytes, 0, segment.bytes, (int) (position % segmentSize), bytes.length);
    return true;
  }

  /** Whether the text written at {@code position} is still there: the ring has not come round to its segment. */
  boolean holds(long position) {
    return position >= 0 && end.get() - (position - position % segmentSize) <= capacity;
  }

  /** A copy of the text at {@code position}, or null when the ring has come round over it. */
  byte[] readIfHeld(long position, int length) {
    Segment segment = holds(position) ? segments.get(index(position)) : null;
    if (segment == null || segment.lap != position / capacity) {
      return null;
    }
    int from = (int) (position % segmentSize);
    return Arrays.copyOfRange(segment.bytes, from, from + length);
  }

  private int index(long position) {
    return (int) (position / segmentSize % segments.length());
  }
}
