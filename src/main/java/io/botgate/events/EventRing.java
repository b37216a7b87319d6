package io.botgate.events;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
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
 * An array carries its lap in its first {@link #HEADER} bytes, and the ring's slot is the only reference to
 * it: once the slot holds the next lap's array, G1 frees the old one at its next young collection (a
 * humongous array of bytes nothing points to). With a record holding the lap and the array, the record of a
 * past lap (in the old generation by then) still pointed at it, so every lap's array stayed until a
 * concurrent marking cycle: under steady load a cycle every second or two, and the heap grew by the dead
 * segments waiting for one. The arrays are sized so the whole object fits in 16 MB, a whole number of G1
 * regions (a 16 MB array plus its header took five 4 MB regions).
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

  /** Bytes of a lap's array before its events: the lap, a long. */
  static final int HEADER = Long.BYTES;
  /** The most bytes of events a segment holds: its array, with the header and the JVM's, takes 16 MB. */
  static final int MAX_SEGMENT = (16 << 20) - HEADER - 64;
  private static final VarHandle LAP = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.nativeOrder());

  private final int segmentSize;
  /** Each segment's array of its current lap: {@link #HEADER} bytes of lap, then the events' text. */
  private final AtomicReferenceArray<byte[]> segments;
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

  /** The largest text the ring keeps: a segment's worth. */
  int largestEvent() {
    return segmentSize;
  }

  /** Writes the text; returns its position, or -1 when it is larger than a segment or the ring came round first. */
  long append(byte[] bytes) {
    return append(bytes, bytes.length);
  }

  /** As {@link #append(byte[])}, with the text in the first {@code length} bytes of the array. */
  long append(byte[] bytes, int length) {
    long position = reserve(length);
    if (position < 0) {
      return -1;
    }
    if (!write(position, bytes, length)) {
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
    return write(position, bytes, bytes.length);
  }

  private boolean write(long position, byte[] bytes, int length) {
    int index = index(position);
    long lap = position / capacity;
    byte[] segment = segments.get(index);
    while (segment == null || lapOf(segment) < lap) {
      byte[] fresh = new byte[HEADER + segmentSize];
      LAP.set(fresh, 0, lap); // published with the array by the compareAndSet below
      segment = segments.compareAndSet(index, segment, fresh) ? fresh : segments.get(index);
    }
    if (lapOf(segment) != lap) {
      return false;
    }
    System.arraycopy(bytes, 0, segment, HEADER + (int) (position % segmentSize), length);
    return true;
  }

  /** Whether the text written at {@code position} is still there: the ring has not come round to its segment. */
  boolean holds(long position) {
    return position >= 0 && end.get() - (position - position % segmentSize) <= capacity;
  }

  /** A copy of the text at {@code position}, or null when the ring has come round over it. */
  byte[] readIfHeld(long position, int length) {
    byte[] segment = holds(position) ? segments.get(index(position)) : null;
    if (segment == null || lapOf(segment) != position / capacity) {
      return null;
    }
    int from = HEADER + (int) (position % segmentSize);
    return Arrays.copyOfRange(segment, from, from + length);
  }

  /** The lap a segment's array was made for; set before the array was published, never changed. */
  private static long lapOf(byte[] segment) {
    return (long) LAP.get(segment, 0);
  }

  private int index(long position) {
    return (int) (position / segmentSize % segments.length());
  }
}
