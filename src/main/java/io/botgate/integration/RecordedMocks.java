package io.botgate.integration;

import io.botgate.JsonText;
import io.botgate.events.SecretMask;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The mocks record mode kept, by integration, and the one place they are written: {@code <dir>/<integration>.json},
 * a JSON array in the format of a definition's {@code mocks}, written to {@code <integration>.json.tmp}, synced, then
 * renamed over the old one, so a reader never sees half a file and a crash leaves the old list or the new one. What
 * is in memory (what mock mode answers from) follows the disk: a recording that could not be written is not kept.
 * A gateway records into a directory only while it holds its {@link MocksDirLock}. What is kept is masked as the
 * console shows it: secret-named fields, {@code {$env.*}} and credential values never reach the disk.
 */
public final class RecordedMocks {

  /** Recordings kept per integration; the oldest goes first. */
  public static final int MAX_PER_INTEGRATION = 200;
  /**
   * Bytes of recordings (bodies and headers as received) kept per integration; the oldest go first, the newest is
   * always kept. Without it 200 answers of up to {@code upstream.limit.bytes} each (5 MiB) could hold a gigabyte of
   * heap for one integration, and every recording rewrote all of it.
   */
  public static final long MAX_BYTES_PER_INTEGRATION = 16L << 20;
  /**
   * Headers of an answer that describe its transfer, not its content: not kept. Nor its Content-Encoding: the body
   * kept is the one the integration read, decoded ({@link ContentCoding}), and a mock answering it with "gzip" had
   * a pass-through caller try to gunzip plain text.
   */
  private static final Set<String> NOT_KEPT = Set.of("content-length", "transfer-encoding", "connection", "keep-alive",
    "host", "date", "proxy-connection", "te", "trailer", "upgrade", "content-encoding");

  /** A file a write left behind when its gateway died: {@code <integration>.json.tmp}, or the earlier builds' form. */
  private static final Pattern LEFT_BEHIND = Pattern.compile("[A-Za-z0-9_\\-]+\\.(json|[0-9]+)\\.tmp");

  private static final Logger LOG = LoggerFactory.getLogger(RecordedMocks.class);

  /** Called with the thread that makes an answer a mock, as it begins (for tests). */
  static volatile Consumer<Thread> whileRecording = thread -> { };

  private final Vertx vertx;
  private final Path dir;
  private final String node;
  private final Map<String, Recordings> byName = new ConcurrentHashMap<>();
  /** Each file as this gateway last read or wrote it: one that looks otherwise now was changed by hand. */
  private final Map<String, Stamp> seen = new ConcurrentHashMap<>();
  /** Held from the first recording (or the start, in {@code upstream.mode} record) until {@link #close()}. */
  private MocksDirLock lock;
  private boolean closed;

  /** An integration's recordings, oldest first, and the bytes each took as received. */
  private record Recordings(List<MockAnswer> mocks, List<Long> bytes) {
    static final Recordings NONE = new Recordings(List.of(), List.of());

    /** Mocks read from a file, each counted by its size as JSON. */
    static Recordings of(List<MockAnswer> mocks) {
      Recordings read = NONE;
      for (MockAnswer mock : mocks) {
        read = read.with(mock, mock.toJson().encode().length());
      }
      return read;
    }

    /** With {@code mock} added (in place of one matching the same requests), the oldest dropped past the bounds. */
    Recordings with(MockAnswer mock, long size) {
      List<MockAnswer> kept = new ArrayList<>(mocks);
      List<Long> sizes = new ArrayList<>(bytes);
      for (int i = kept.size() - 1; i >= 0; i--) {
        if (mock.sameMatch(kept.get(i))) {
          kept.remove(i);
          sizes.remove(i);
        }
      }
      kept.add(mock);
      sizes.add(size);
      long total = sizes.stream().mapToLong(Long::longValue).sum();
      while (kept.size() > MAX_PER_INTEGRATION || (total > MAX_BYTES_PER_INTEGRATION && kept.size() > 1)) {
        kept.remove(0);
        total -= sizes.remove(0);
      }
      return new Recordings(List.copyOf(kept), List.copyOf(sizes));
    }
  }

  /** What tells one version of a file from another without reading it: a rename brings a new inode. */
  private record Stamp(Object inode, long size, FileTime modified) {
    static Stamp of(Path file) throws IOException {
      try {
        BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
        return new Stamp(attributes.fileKey(), attributes.size(), attributes.lastModifiedTime());
      } catch (NoSuchFileException e) {
        return null;
      }
    }
  }

  /** @param dir where the files are, null to keep recordings in memory only */
  public RecordedMocks(Vertx vertx, Path dir) {
    this(vertx, dir, ProcessHandle.current().pid() + "");
  }

  /** @param node how the lock file names this gateway to another that finds the directory taken ({@code node.id}) */
  public RecordedMocks(Vertx vertx, Path dir, String node) {
    this.vertx = vertx;
    this.dir = dir;
    this.node = node;
  }

  /**
   * Reads every {@code <integration>.json} of the directory (none when it does not exist). Blocking: at start.
   *
   * @throws DefinitionException with every problem of every file
   */
  public void load() {
    if (dir == null || !Files.isDirectory(dir)) {
      return;
    }
    List<DefinitionException.Problem> problems = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path file : files.filter(f -> f.getFileName().toString().endsWith(".json")).sorted().toList()) {
        String name = file.getFileName().toString();
        name = name.substring(0, name.length() - ".json".length());
        String integration = name;
        Object json;
        try {
          json = JsonText.decode(Files.readAllBytes(file)); // from bytes: a byte order mark an editor saved is skipped
        } catch (DecodeException e) {
          problems.add(new DefinitionException.Problem(integration, "mocks", file + " is not valid JSON: " + e.getMessage()));
          continue;
        } catch (IOException e) {
          // a directory of that name, a file this user may not read: named with the system's reason, as a bad file is
          problems.add(new DefinitionException.Problem(integration, "mocks", file + " cannot be read ("
            + (e instanceof FileSystemException f && f.getReason() != null ? f.getReason()
            : e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName()) + ")"));
          continue;
        }
        List<MockAnswer> mocks = MockAnswer.readAll(json, "mocks",
          (field, message) -> problems.add(new DefinitionException.Problem(integration, field, file + ": " + message)));
        byName.put(integration, Recordings.of(mocks));
        saw(integration, Stamp.of(file));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the recorded mocks in " + dir, e);
    }
    if (!problems.isEmpty()) {
      throw new DefinitionException("recorded mocks in " + dir, problems);
    }
  }

  /** The recorded mocks of an integration, oldest first. */
  public List<MockAnswer> of(String integration) {
    return byName.getOrDefault(integration, Recordings.NONE).mocks();
  }

  /**
   * Takes the directory for this gateway's recordings: its lock, then the temporary files a gateway killed while
   * writing left (no other gateway writes there now). Done at the first recording, or at start when every
   * integration records. Blocking.
   *
   * @throws IllegalStateException when another gateway records into the directory, naming it and the gateway
   */
  public synchronized void claim() throws IOException {
    if (dir == null || lock != null) {
      return;
    }
    if (closed) {
      throw new IllegalStateException("the gateway is stopping");
    }
    lock = MocksDirLock.take(dir, node);
    try (Stream<Path> files = Files.list(dir)) {
      for (Path file : files.filter(f -> LEFT_BEHIND.matcher(f.getFileName().toString()).matches()).toList()) {
        Files.deleteIfExists(file);
        LOG.info("record mode: removed {}, left by a gateway stopped while writing it", file);
      }
    }
  }

  /**
   * Keeps one answer as received (replacing a recording that matches the same requests), made a mock ({@link
   * #recorded}) on a worker: an answer of megabytes was checked as UTF-8, parsed and masked on the event loop, a walk
   * over all of it each. Writes the integration's file, then keeps it in memory. Completes when both are done; failed,
   * and nothing kept, when the file could not be written.
   */
  Future<Void> keep(String integration, SecretMask mask, ShownRequest shown, HttpMethod method, int status,
                    MultiMap headers, Buffer body) {
    return vertx.executeBlocking(() -> {
      whileRecording.accept(Thread.currentThread());
      MockAnswer mock = recorded(mask, shown, method, status, headers, body);
      long bytes = (body == null ? 0 : body.length()) + mock.headers().entrySet().stream()
        .mapToLong(h -> h.getKey().length() + h.getValue().length()).sum();
      if (dir == null) {
        byName.compute(integration, (name, old) -> (old == null ? Recordings.NONE : old).with(mock, bytes));
      } else {
        record(integration, mock, bytes);
      }
      return null;
    }, false);
  }

  /** The only place mock files are written; one writer at a time, each writing the newest list. */
  private synchronized void record(String integration, MockAnswer mock, long bytes) throws IOException {
    claim();
    if (!lock.stillHeld()) {
      // Its file was deleted or replaced: another gateway may have locked a new one and record here too. Taken
      // again, or refused naming that gateway, rather than both overwriting each other's recordings.
      LOG.warn("record mode: the lock file {} was deleted or replaced while this gateway recorded into {}; taking it"
        + " again", lock.file(), dir);
      letGo();
      claim();
    }
    Recordings next = onDisk(integration).with(mock, bytes);
    JsonArray out = new JsonArray();
    next.mocks().forEach(m -> out.add(m.toJson()));
    Path temp = dir.resolve(integration + ".json.tmp");
    try {
      // A fresh file, never one found there: a symbolic link put in its place would have the gateway overwrite
      // whatever file it names (deleting removes the link, not what it points to; CREATE_NEW follows none)
      Files.deleteIfExists(temp);
      try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        ByteBuffer bytesOut = ByteBuffer.wrap((out.encodePrettily() + "\n").getBytes(StandardCharsets.UTF_8));
        while (bytesOut.hasRemaining()) {
          channel.write(bytesOut);
        }
        channel.force(true); // on the disk before the rename makes it the list: never a renamed, empty file
      }
      Files.move(temp, dir.resolve(integration + ".json"), StandardCopyOption.ATOMIC_MOVE,
        StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(temp);
    }
    byName.put(integration, next); // the file holds it now
    saw(integration, Stamp.of(dir.resolve(integration + ".json")));
    syncDirectory();
  }

  private void saw(String integration, Stamp stamp) {
    if (stamp == null) {
      seen.remove(integration);
    } else {
      seen.put(integration, stamp);
    }
  }

  /**
   * The recordings the integration's file holds: those this gateway last read or wrote, unless the file was changed
   * since (an edit by hand while it records, the file deleted to start afresh), then what it holds now, so the next
   * recording keeps the edit rather than writing the old list over it.
   *
   * @throws IOException naming the file and its problems when the edit left it invalid; nothing is written then
   */
  private Recordings onDisk(String integration) throws IOException {
    Path file = dir.resolve(integration + ".json");
    Stamp now = Stamp.of(file);
    if (Objects.equals(now, seen.get(integration))) {
      return byName.getOrDefault(integration, Recordings.NONE);
    }
    if (now == null) {
      return Recordings.NONE;
    }
    List<String> problems = new ArrayList<>();
    try {
      List<MockAnswer> mocks = MockAnswer.readAll(JsonText.decode(Files.readAllBytes(file)), "mocks",
        (field, message) -> problems.add(field + ": " + message));
      if (problems.isEmpty()) {
        LOG.info("record mode: {} was changed since this gateway wrote it; recording on what it holds now", file);
        return Recordings.of(mocks);
      }
    } catch (DecodeException e) {
      problems.add("not valid JSON: " + e.getMessage());
    }
    throw new IOException(file + " was changed since this gateway wrote it and is not valid (" + String.join("; ",
      problems) + "); it is left as it is: correct it, or delete it to record afresh");
  }

  /** Makes the rename durable; a file system that cannot sync a directory gets no more than the rename. */
  private void syncDirectory() {
    try (FileChannel directory = FileChannel.open(dir, StandardOpenOption.READ)) {
      directory.force(true);
    } catch (IOException e) {
      LOG.warn("record mode: {} could not be synced after a rename ({}): a crash of the machine may lose the last"
        + " recording", dir, e.toString());
    }
  }

  /** Lets the directory go, once the write under way (if any) is done. Blocking. */
  public synchronized void close() {
    closed = true;
    letGo();
  }

  /**
   * Lets the directory go after a start that failed, leaving it as the start found it: the lock file, and the
   * directory, removed when the start made them ({@link MocksDirLock#releaseAndRemove}). Blocking.
   */
  public synchronized void abandon() {
    closed = true;
    if (lock != null) {
      try {
        lock.releaseAndRemove();
      } catch (IOException e) {
        LOG.warn("record mode: the lock of {} could not be released: {}", dir, e.toString());
      }
      lock = null;
    }
  }

  private void letGo() {
    if (lock != null) {
      try {
        lock.release();
      } catch (IOException e) {
        LOG.warn("record mode: the lock of {} could not be released: {}", dir, e.toString());
      }
      lock = null;
    }
  }

  /**
   * An answer as a mock, masked: the request's method, path and query (as shown: secrets as {@code ****},
   * which matches any value), the status, the headers that describe the content, and the body, kept as
   * JSON when it re-encodes to the same bytes and holds nothing to hide, else as its text.
   */
  static MockAnswer recorded(SecretMask mask, ShownRequest shown, HttpMethod method, int status,
                             MultiMap headers, Buffer body) {
    String path = null;
    Map<String, String> query = Map.of();
    try {
      URI uri = new URI(shown.url());
      path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
      query = MockAnswer.queryOf(uri.getRawQuery());
    } catch (URISyntaxException e) {
      // matched on the method alone
    }
    Map<String, String> kept = new LinkedHashMap<>();
    Map<String, String> names = new LinkedHashMap<>(); // lower case to the name first seen
    if (headers != null) {
      for (Map.Entry<String, String> header : headers.entries()) {
        String lower = header.getKey().toLowerCase(Locale.ROOT);
        if (NOT_KEPT.contains(lower)) {
          continue;
        }
        String value = shown.scrub(mask.headers(List.of(header)).get(header.getKey()));
        // a header given on several lines (Vary, Link, Cache-Control) is one list: kept whole, as RFC 9110 combines it
        kept.merge(names.computeIfAbsent(lower, l -> header.getKey()), value,
          (before, next) -> before.equals(SecretMask.MASK) && next.equals(SecretMask.MASK) ? before : before + ", " + next);
      }
    }
    return new MockAnswer(method.name(), path, query, status, kept, keptBody(mask, shown, body), 0);
  }

  private static Object keptBody(SecretMask mask, ShownRequest shown, Buffer body) {
    if (body == null || body.length() == 0) {
      return null;
    }
    String text = utf8(body);
    if (text == null) {
      // Not UTF-8 (a picture, a Latin-1 page): as text it would be kept with U+FFFD in place of each such byte, and
      // replayed as other bytes. Kept as bytes; scrubbed as Latin-1, which gives each byte a character of its own.
      String bytes = body.toString(StandardCharsets.ISO_8859_1);
      return Buffer.buffer(shown.scrub(mask.text(bytes)).getBytes(StandardCharsets.ISO_8859_1));
    }
    Object parsed;
    try {
      parsed = Json.decodeValue(text);
    } catch (DecodeException e) {
      parsed = null;
    }
    if (parsed instanceof JsonObject || parsed instanceof JsonArray) {
      Object masked = ExchangeTrace.masked(mask, shown, parsed);
      if (!masked.equals(parsed)) {
        return masked;
      }
      return Json.encode(parsed).equals(text) ? parsed : text;
    }
    return shown.scrub(mask.text(text));
  }

  /** The body as text when it is UTF-8, else null. */
  private static String utf8(Buffer body) {
    try {
      return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(body.getBytes())).toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }
}
