package io.botgate.session;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The binary pieces of a session's clustered state: numbers big-endian, results field by field, strings
 * as their UTF-8 length and bytes the first time (-2, then those) and as the index of that first time when
 * the same string comes again (results repeat their session, integration, status and node), -1 for null. A node writes every result of a session at each save (up to
 * {@code session.results} of them): as JSON each cost a map, a formatted timestamp and a parse back, most
 * of what a save cost.
 */
final class StateBytes {

  /** The tag of a string written in full; its index is the count of strings written in full before it. */
  private static final int NEW = -2;
  /** Strings a writer or reader remembers: a session's results have a few distinct ones. */
  private static final int STRINGS_KEPT = 16;

  private StateBytes() {
  }

  /** Appends to a byte array that grows as needed. */
  static final class Writer {
    private byte[] bytes;
    private int size;
    /** The strings written so far, by index (the first {@link #STRINGS_KEPT}). */
    private final String[] strings = new String[STRINGS_KEPT];
    private int written;

    Writer(int capacity) {
      bytes = new byte[capacity];
    }

    private void room(int more) {
      if (size + more > bytes.length) {
        bytes = Arrays.copyOf(bytes, Math.max(size + more, bytes.length * 2));
      }
    }

    Writer put(byte b) {
      room(1);
      bytes[size++] = b;
      return this;
    }

    Writer putInt(int v) {
      room(Integer.BYTES);
      for (int shift = 24; shift >= 0; shift -= 8) {
        bytes[size++] = (byte) (v >>> shift);
      }
      return this;
    }

    Writer putLong(long v) {
      room(Long.BYTES);
      for (int shift = 56; shift >= 0; shift -= 8) {
        bytes[size++] = (byte) (v >>> shift);
      }
      return this;
    }

    Writer putBytes(byte[] b) {
      room(b.length);
      System.arraycopy(b, 0, bytes, size, b.length);
      size += b.length;
      return this;
    }

    Writer putString(String s) {
      if (s == null) {
        return putInt(-1);
      }
      for (int i = 0; i < written; i++) {
        if (strings[i] == s) { // the same string object: results share theirs
          return putInt(i);
        }
      }
      if (written < strings.length) {
        strings[written++] = s;
      }
      byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
      return putInt(NEW).putInt(utf8.length).putBytes(utf8);
    }

    Writer putResult(IntegrationResult r) {
      putString(r.session()).putString(r.integration()).put((byte) (r.success() ? 1 : 0)).putString(r.statusCode());
      return putLong(r.atMillis()).putLong(r.durationMs()).putInt(r.attempts()).putString(r.node());
    }

    /** Overwrites 4 bytes already written at {@code at}. */
    void setInt(int at, int v) {
      for (int shift = 24; shift >= 0; shift -= 8) {
        bytes[at++] = (byte) (v >>> shift);
      }
    }

    int size() {
      return size;
    }

    byte[] toArray() {
      return size == bytes.length ? bytes : Arrays.copyOf(bytes, size);
    }
  }

  /** Reads what a {@link Writer} wrote, from a position on. */
  static final class Reader {
    private final byte[] bytes;
    private int at;
    private final String[] strings = new String[STRINGS_KEPT];
    private int read;

    Reader(byte[] bytes, int at) {
      this.bytes = bytes;
      this.at = at;
    }

    byte get() {
      return bytes[at++];
    }

    int getInt() {
      int v = 0;
      for (int i = 0; i < Integer.BYTES; i++) {
        v = v << 8 | bytes[at++] & 0xff;
      }
      return v;
    }

    /** A count of items still to read, each at least one byte: more than the bytes left is a corrupt state. */
    int getCount() {
      int count = getInt();
      if (count < 0 || count > bytes.length - at) {
        throw new IllegalStateException("corrupt session state: a count of " + count + " at byte "
          + (at - Integer.BYTES) + " of " + bytes.length);
      }
      return count;
    }

    long getLong() {
      long v = 0;
      for (int i = 0; i < Long.BYTES; i++) {
        v = v << 8 | bytes[at++] & 0xff;
      }
      return v;
    }

    String getString() {
      int tag = getInt();
      if (tag >= 0) {
        return strings[tag];
      }
      if (tag != NEW) {
        return null;
      }
      int length = getCount();
      String s = new String(bytes, at, length, StandardCharsets.UTF_8);
      at += length;
      if (read < strings.length) {
        strings[read++] = s;
      }
      return s;
    }

    /** A result {@link Writer#putResult} wrote, or with its time as seconds and nanoseconds, as the format before. */
    IntegrationResult getResult(boolean secondsAndNanos) {
      String session = getString();
      String integration = getString();
      boolean success = get() == 1;
      String status = getString();
      long atMillis = secondsAndNanos ? getLong() * 1000 + getInt() / 1_000_000 : getLong();
      return new IntegrationResult(session, integration, success, status, atMillis, getLong(), getInt(), getString());
    }

    int position() {
      return at;
    }
  }
}
