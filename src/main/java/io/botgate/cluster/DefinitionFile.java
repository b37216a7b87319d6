package io.botgate.cluster;

import io.botgate.GatewayError;
import io.botgate.JsonText;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One node's file of definitions, a JSON array rewritten whole and atomically: a temporary file in the same
 * directory, flushed to disk, then renamed over the old one, so a crash leaves either the old file or the
 * new one, never half of one. Blocking: call it from a worker.
 */
final class DefinitionFile {

  /** A file created here may hold secrets: readable by its owner only. An existing file keeps its mode. */
  private static final Set<PosixFilePermission> NEW_FILE = PosixFilePermissions.fromString("rw-------");

  /** The files a gateway of this process is writing: a second lock of one in the same process is refused by Java. */
  private static final Map<Path, Object> WRITING = new ConcurrentHashMap<>();

  private final String kind;
  private final Path path;
  /**
   * How long a write waits for the file's lock held by another process: a gateway stopped while writing (SIGSTOP,
   * a debugger) would otherwise hold the write, its worker and the caller's request for as long as it stays stopped.
   */
  private long lockWaitMillis = 10_000;
  /** Whether the temporary files a crash left beside the file were looked for (once, at the first write). */
  private boolean swept;
  /**
   * What this node holds the file to contain, when it is the file's only writer (standalone): what it read at
   * start, then what it last wrote. Null: the file is written whatever it holds (a cluster's nodes on one machine
   * share it, each writing the cluster's set).
   */
  private JsonArray expected;
  /** The file as this node last saw it holding {@link #expected}: while it still looks so, it is not read again. */
  private Stamp seen;

  /** What tells one version of the file from another without reading it: a rename brings a new inode. */
  private record Stamp(Object inode, long size, FileTime modified) {
    static Stamp of(BasicFileAttributes attributes) {
      return new Stamp(attributes.fileKey(), attributes.size(), attributes.lastModifiedTime());
    }
  }

  /** @param path null when the definitions are kept in memory only */
  DefinitionFile(String kind, String path) {
    this.kind = kind;
    this.path = path == null || path.isBlank() ? null : Path.of(path).toAbsolutePath().normalize();
  }

  /**
   * From now on, refuses to write over the file once another process has changed it (a second gateway started on
   * the same file, an edit by hand): this node's whole set would replace what the other wrote, acknowledged changes
   * included. {@code held} is what this node read from the file (or its embedded defaults when there was none).
   */
  void soleWriter(JsonArray held) {
    expected = held;
  }

  /** Where the file is, for messages; null when there is none. */
  Path path() {
    return path;
  }

  /**
   * Replaces the file's content with {@code definitions}.
   *
   * @throws GatewayError {@code definitions_not_saved} (503) naming the file and the system's reason
   */
  void write(Collection<JsonObject> definitions) {
    if (path == null) {
      return;
    }
    JsonArray written = new JsonArray(List.copyOf(definitions));
    byte[] text = (written.encodePrettily() + "\n").getBytes(StandardCharsets.UTF_8);
    Path target = path;
    try {
      target = Files.isSymbolicLink(path) ? path.toRealPath() : path; // keep the link, replace what it points to
      synchronized (WRITING.computeIfAbsent(target, t -> new Object())) { // one lock of a file per process
        replace(target, written, text);
      }
    } catch (IOException e) {
      throw new GatewayError(503, "definitions_not_saved", kind + " not saved: cannot write " + target + " ("
        + reason(e) + "); nothing was changed. Make its directory writable, or point " + kind + ".file at a writable file");
    }
  }

  /**
   * Checks and replaces the file under an operating system lock of the file it replaces, so another gateway on the
   * same file cannot write between this one's check and its rename (its write waits, then finds the file changed).
   * A lock taken on a file that was replaced while it waited is taken again on the new one.
   */
  private void replace(Path target, JsonArray written, byte[] text) throws IOException {
    while (true) {
      Object before = identity(target);
      try (FileChannel held = openToLock(target)) {
        if (held != null) {
          lockWithin(held, target);
          if (!Objects.equals(before, identity(target))) {
            continue; // replaced while this one waited: lock the file there is now
          }
        }
        if (expected != null) {
          refuseAnotherWriters(target, held);
        }
        writeAndRename(target, written, text);
        return;
      }
    }
  }

  /** Waits for the file's lock at most {@link #lockWaitMillis}; past that the write is refused, nothing changed. */
  private void lockWithin(FileChannel channel, Path target) throws IOException {
    long giveUpAt = System.nanoTime() + lockWaitMillis * 1_000_000;
    while (!tryLock(channel)) {
      if (System.nanoTime() - giveUpAt > 0) {
        throw new GatewayError(503, "definitions_not_saved", kind + " not saved: another gateway or process has held the lock of "
          + target + " for " + lockWaitMillis / 1000.0 + " s (a gateway writing it, stopped?); nothing was changed, "
          + "try again");
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while waiting for the lock of " + target, e);
      }
    }
  }

  /**
   * Whether the lock was taken; false while another holds it, another process or a gateway of this one that names the
   * file by another path (a linked directory), which Java reports as an overlap rather than waiting.
   */
  private static boolean tryLock(FileChannel channel) throws IOException {
    try {
      return channel.tryLock() != null;
    } catch (OverlappingFileLockException e) {
      return false;
    }
  }

  /** Sets how long a write waits for another process's lock of the file (for tests). */
  DefinitionFile lockWaitMillis(long millis) {
    lockWaitMillis = millis;
    return this;
  }

  private static Object identity(Path file) throws IOException {
    try {
      return Files.readAttributes(file, BasicFileAttributes.class).fileKey();
    } catch (NoSuchFileException e) {
      return null;
    }
  }

  /** The file opened to be locked; null when there is none yet, or this process may not write it (no lock then). */
  private static FileChannel openToLock(Path target) throws IOException {
    try {
      return FileChannel.open(target, StandardOpenOption.READ, StandardOpenOption.WRITE);
    } catch (NoSuchFileException | AccessDeniedException e) {
      return null;
    }
  }

  private void writeAndRename(Path target, JsonArray written, byte[] text) throws IOException {
    Path temp = null;
    try {
      Path dir = target.getParent();
      Files.createDirectories(dir);
      if (!swept) {
        swept = true;
        removeLeftTemps(dir, target.getFileName().toString());
      }
      temp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp");
      if (dir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
        Files.setPosixFilePermissions(temp, Files.exists(target) ? Files.getPosixFilePermissions(target) : NEW_FILE);
      }
      try (FileChannel out = FileChannel.open(temp, StandardOpenOption.WRITE)) {
        ByteBuffer buffer = ByteBuffer.wrap(text);
        while (buffer.hasRemaining()) {
          out.write(buffer);
        }
        out.force(true);
      }
      Stamp stamp = Stamp.of(Files.readAttributes(temp, BasicFileAttributes.class)); // a rename keeps all three
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      temp = null;
      if (expected != null) {
        expected = written;
        seen = stamp;
      }
      syncDirectory(dir);
    } finally {
      if (temp != null) {
        try {
          Files.deleteIfExists(temp);
        } catch (IOException ignored) {
          // the rename failed already; that failure is the one reported
        }
      }
    }
  }

  /**
   * Refuses the write when the file holds something other than what this node read or last wrote. A file gone
   * meanwhile is written again: nobody's definitions are in it. Read through {@code held}, the channel holding its
   * lock: closing any other descriptor of the file would let the process's lock go.
   */
  private void refuseAnotherWriters(Path target, FileChannel held) throws IOException {
    Stamp now;
    try {
      now = Stamp.of(Files.readAttributes(target, BasicFileAttributes.class));
    } catch (NoSuchFileException e) {
      return;
    }
    if (now.equals(seen)) {
      return;
    }
    Object onDisk;
    try {
      onDisk = JsonText.decode(held == null ? Files.readAllBytes(target) : readAll(held));
    } catch (DecodeException e) {
      onDisk = null; // half an edit: not what this node holds either
    }
    if (!expected.equals(onDisk)) {
      throw new GatewayError(409, "definitions_changed", kind + " not saved: " + target + " was changed by another "
        + "process since this gateway read or wrote it (another gateway using the same file, or an edit by hand); "
        + "nothing was changed, and the file was left as it is. Give each gateway a file of its own (or run them as a "
        + "cluster), then restart this one to take the file as it is now");
    }
    seen = now;
  }

  private static byte[] readAll(FileChannel channel) throws IOException {
    ByteBuffer buffer = ByteBuffer.allocate(Math.toIntExact(channel.size()));
    while (buffer.hasRemaining() && channel.read(buffer, buffer.position()) >= 0) {
      // until the whole file is read
    }
    return buffer.array();
  }

  /**
   * Removes the temporary files of this file that a crash (kill -9 between creating one and renaming it) left: each
   * holds a whole set of definitions, secrets in clear. Only those older than a minute: another process sharing the
   * directory may be writing one now.
   */
  private static void removeLeftTemps(Path dir, String name) {
    long before = System.currentTimeMillis() - 60_000;
    String prefix = "." + name + ".";
    try (var left = Files.newDirectoryStream(dir, p -> {
      String file = p.getFileName().toString();
      return file.startsWith(prefix) && file.endsWith(".tmp"); // not a glob: a name may hold '{' or '['
    })) {
      for (Path temp : left) {
        if (Files.getLastModifiedTime(temp).toMillis() < before) {
          Files.deleteIfExists(temp);
        }
      }
    } catch (IOException ignored) {
      // left for the next start: the file itself is what matters
    }
  }

  /** Makes the rename itself durable; some file systems refuse to open a directory, and then it is skipped. */
  private static void syncDirectory(Path dir) {
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    } catch (IOException ignored) {
      // the file's content is on disk; only the rename's durability across a power cut is at stake
    }
  }

  /** The operating system's words, not a Java class name: "Read-only file system", "permission denied". */
  static String reason(Exception e) {
    if (e instanceof AccessDeniedException) {
      return "permission denied";
    }
    if (e instanceof NoSuchFileException) {
      return "no such file or directory";
    }
    if (e instanceof FileSystemException f && f.getReason() != null) {
      return f.getReason();
    }
    return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
  }
}
