package io.botgate.integration;

import io.botgate.OnLoop;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.zip.GZIPInputStream;
import java.util.zip.Inflater;
import java.util.zip.InflaterInputStream;

/**
 * Undoes the {@code Content-Encoding} of an upstream's answer (gzip, x-gzip, deflate), so that what an integration maps,
 * records and replays is the body the upstream meant, not its compressed bytes. An upstream compresses when the
 * integration asks for it ({@code Accept-Encoding} in its headers), or unasked. Decoding is bounded: a small body may
 * inflate a thousand times, so the decoded bytes are held to the same limit as the answer's.
 * Other codings (br, zstd, compress) are left as they came.
 */
public final class ContentCoding {

  private ContentCoding() {
  }

  /** The decoded body would pass its limit. */
  public static final class TooLarge extends Exception {
    TooLarge() {
      super(null, null, false, false);
    }
  }

  /** The body is not what its coding says (a truncated or corrupt gzip stream). */
  public static final class Unreadable extends Exception {
    Unreadable(String message) {
      super(message, null, false, false);
    }
  }

  /** Whether botgate decodes a body of this {@code Content-Encoding} (a list: each of its codings). */
  public static boolean decodes(String contentEncoding) {
    if (contentEncoding == null || contentEncoding.isBlank()) {
      return false;
    }
    for (String coding : contentEncoding.split(",")) {
      String c = coding.trim().toLowerCase(Locale.ROOT);
      if (!c.equals("gzip") && !c.equals("x-gzip") && !c.equals("deflate") && !c.equals("identity")) {
        return false;
      }
    }
    return true;
  }

  /**
   * The most decoded bytes {@link #decoding} makes where it is called (an event loop, {@link OnLoop#MAX_BYTES}): the
   * usual compressed answer of a few kilobytes. A gzip of 5 MB of JSON (50 kB on the wire) inflated there held the loop
   * tens of milliseconds.
   */
  static final int DECODED_IN_PLACE_BYTES = OnLoop.MAX_BYTES;

  /**
   * As {@link #decoded}, without holding the caller's thread (an event loop) for a large body: decoded in place up to
   * {@link #DECODED_IN_PLACE_BYTES}, and past that decoded again, whole, by {@code offLoop} (a worker's executeBlocking).
   * Fails with {@link TooLarge} or {@link Unreadable}.
   */
  public static Future<Buffer> decoding(String contentEncoding, Buffer body, long limit,
                                        Function<Callable<Buffer>, Future<Buffer>> offLoop) {
    try {
      return Future.succeededFuture(decoded(contentEncoding, body, Math.min(limit, DECODED_IN_PLACE_BYTES)));
    } catch (TooLarge e) {
      return limit <= DECODED_IN_PLACE_BYTES ? Future.failedFuture(e)
        : offLoop.apply(() -> decoded(contentEncoding, body, limit));
    } catch (Unreadable e) {
      return Future.failedFuture(e);
    }
  }

  /**
   * The body with its codings undone, the last applied first; the body itself when it has none botgate decodes
   * ({@link #decodes}).
   *
   * @throws TooLarge   when the decoded body would be larger than {@code limit} bytes
   * @throws Unreadable when the body is not what its coding says
   */
  public static Buffer decoded(String contentEncoding, Buffer body, long limit) throws TooLarge, Unreadable {
    if (!decodes(contentEncoding) || body == null || body.length() == 0) {
      return body;
    }
    String[] codings = contentEncoding.split(",");
    byte[] bytes = body.getBytes();
    for (int i = codings.length - 1; i >= 0; i--) {
      String coding = codings[i].trim().toLowerCase(Locale.ROOT);
      if (coding.equals("gzip") || coding.equals("x-gzip")) {
        bytes = gunzip(bytes, limit);
      } else if (coding.equals("deflate")) {
        bytes = inflate(bytes, limit);
      }
    }
    return Buffer.buffer(bytes);
  }

  private static byte[] gunzip(byte[] bytes, long limit) throws TooLarge, Unreadable {
    try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(bytes))) {
      return readUpTo(in, limit);
    } catch (IOException e) {
      throw new Unreadable("its gzip body could not be decoded (" + e.getMessage() + ")");
    }
  }

  /** HTTP's deflate is zlib-wrapped (RFC 9110 8.4.1.2); some servers send it raw, which is tried second. */
  private static byte[] inflate(byte[] bytes, long limit) throws TooLarge, Unreadable {
    for (boolean raw : new boolean[] {false, true}) {
      Inflater inflater = new Inflater(raw);
      try (InputStream in = new InflaterInputStream(new ByteArrayInputStream(bytes), inflater)) {
        return readUpTo(in, limit);
      } catch (IOException e) {
        if (raw) {
          throw new Unreadable("its deflate body could not be decoded (" + e.getMessage() + ")");
        }
      } finally {
        inflater.end();
      }
    }
    throw new IllegalStateException("unreachable");
  }

  private static byte[] readUpTo(InputStream in, long limit) throws IOException, TooLarge {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] chunk = new byte[16 * 1024];
    for (int n = in.read(chunk); n >= 0; n = in.read(chunk)) {
      if (out.size() + (long) n > limit) {
        throw new TooLarge();
      }
      out.write(chunk, 0, n);
    }
    return out.toByteArray();
  }
}
