package io.botgate.integration;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The hold one gateway has on the mocks directory it records into: each writes an integration's whole list of
 * recordings as it knows it, so two writing one directory would overwrite each other's. It is an operating system
 * lock on {@code <dir>/.botgate.lock}, which goes with its process (a {@code kill -9} leaves no stale lock); the file
 * names its holder for the refusal of the next one.
 */
final class MocksDirLock {

  static final String FILE = ".botgate.lock";
  private static final Object MISSING = new Object();

  /**
   * The directories a gateway of this JVM holds, by real path, with their holders: a second lock of one file in the
   * same JVM is refused by Java itself, and opening the file only to find it held could drop the first one's lock
   * when closed (POSIX locks belong to the process, and closing any descriptor of the file releases them).
   */
  private static final Map<Path, String> HELD_HERE = new ConcurrentHashMap<>();

  private final Path key;
  private final FileChannel channel;
  private final FileLock lock;
  /** The identity (inode) of the file locked: a lock file deleted or replaced since no longer keeps others out. */
  private final Object fileKey;
  /** Whether taking the lock made its file, and the directories it made, innermost first. */
  private final boolean madeFile;
  private final List<Path> madeDirs;

  private MocksDirLock(Path key, FileChannel channel, FileLock lock, Object fileKey, boolean madeFile,
                       List<Path> madeDirs) {
    this.key = key;
    this.channel = channel;
    this.lock = lock;
    this.fileKey = fileKey;
    this.madeFile = madeFile;
    this.madeDirs = madeDirs;
  }

  /**
   * Takes the lock of {@code dir} (made if missing) for {@code node}. Blocking.
   *
   * @throws IllegalStateException naming the directory and the gateway that holds it
   */
  static MocksDirLock take(Path dir, String node) throws IOException {
    List<Path> madeDirs = new ArrayList<>();
    for (Path missing = dir.toAbsolutePath(); missing != null && !Files.exists(missing); missing = missing.getParent()) {
      madeDirs.add(missing);
    }
    Files.createDirectories(dir);
    Path key = dir.toRealPath();
    String holder = new JsonObject().put("node", node).put("pid", ProcessHandle.current().pid())
      .put("since", Instant.now().toString()).encode();
    String before = HELD_HERE.putIfAbsent(key, holder);
    if (before != null) {
      throw inUse(dir, before, "in this process");
    }
    boolean madeFile = !Files.exists(key.resolve(FILE));
    try {
      for (int attempt = 1; ; attempt++) {
        MocksDirLock taken = tryTake(dir, key, holder, madeFile, List.copyOf(madeDirs));
        if (taken != null || attempt == 3) {
          if (taken == null) {
            throw new IOException(key.resolve(FILE) + " was deleted or replaced each time it was locked");
          }
          return taken;
        }
      }
    } catch (IOException | RuntimeException e) {
      HELD_HERE.remove(key);
      throw e;
    }
  }

  /**
   * Locks the file and writes {@code holder} in it; null when the path may name another file than the one locked by
   * then: its holder removed it as it let go ({@link #releaseAndRemove}), and another may have made a new one. Told
   * by the file's identity before it was opened and once it is locked; opening it again to read it would drop the
   * lock (POSIX locks belong to the process, and closing any descriptor of the file releases them).
   */
  private static MocksDirLock tryTake(Path dir, Path key, String holder, boolean madeFile, List<Path> madeDirs)
    throws IOException {
    Path file = key.resolve(FILE);
    Object before = identity(file);
    // not through a symbolic link: the holder is written over what the file holds
    FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
      StandardOpenOption.WRITE, java.nio.file.LinkOption.NOFOLLOW_LINKS);
    try {
      FileLock lock = channel.tryLock();
      if (lock == null) {
        throw inUse(dir, Files.readString(file, StandardCharsets.UTF_8), "in another process");
      }
      Object after = identity(file);
      if (after == MISSING || (after != null && !after.equals(before))) {
        channel.close(); // made just now, or changed meanwhile: opened again, by what the path names now
        return null;
      }
      channel.truncate(0);
      channel.write(ByteBuffer.wrap((holder + "\n").getBytes(StandardCharsets.UTF_8)), 0);
      channel.force(true);
      return new MocksDirLock(key, channel, lock, after, madeFile, madeDirs);
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
  }

  /** The file's identity (inode), {@link #MISSING} when there is no file, null on a file system without them. */
  private static Object identity(Path file) throws IOException {
    try {
      return Files.readAttributes(file, BasicFileAttributes.class).fileKey();
    } catch (NoSuchFileException e) {
      return MISSING;
    }
  }

  /**
   * Whether the lock still keeps other gateways out: false once its file was deleted (a clean-up by hand, a
   * {@code git clean}) or replaced, after which another gateway can lock a new file of that name. Blocking.
   */
  boolean stillHeld() {
    if (fileKey == null) {
      return true; // a file system without identities: the deletion cannot be seen
    }
    try {
      return fileKey.equals(Files.readAttributes(key.resolve(FILE), BasicFileAttributes.class).fileKey());
    } catch (IOException e) {
      return false;
    }
  }

  /** Where the lock file is, for messages. */
  Path file() {
    return key.resolve(FILE);
  }

  /** Lets the directory go (the file stays: removing it could race with a gateway that just opened it). */
  void release() throws IOException {
    try {
      lock.release();
      channel.close();
    } finally {
      HELD_HERE.remove(key);
    }
  }

  /**
   * Lets the directory go, leaving it as taking the lock found it: the lock file removed if taking it made it, while
   * still locked (a gateway that opened it meanwhile sees the file gone once it locks it, and makes a new one), and
   * the directories it made, when nothing else was put in them. For a start that failed after taking it. Blocking.
   */
  void releaseAndRemove() throws IOException {
    try {
      if (madeFile && stillHeld()) {
        Files.deleteIfExists(key.resolve(FILE));
      }
    } finally {
      release();
    }
    for (Path made : madeDirs) {
      try {
        Files.delete(made);
      } catch (DirectoryNotEmptyException | NoSuchFileException e) {
        break; // something else was put there meanwhile, or someone removed it: left as it is
      }
    }
  }

  private static IllegalStateException inUse(Path dir, String holderJson, String where) {
    String holder;
    try {
      JsonObject h = new JsonObject(holderJson.trim());
      holder = "node " + h.getString("node") + ", pid " + h.getValue("pid") + ", since " + h.getString("since");
    } catch (DecodeException | ClassCastException e) {
      holder = "it did not say who it is";
    }
    return new IllegalStateException("upstream.mocksDir " + dir.toAbsolutePath() + " is being recorded into by another"
      + " gateway " + where + " (" + holder + "; its lock is " + dir.toAbsolutePath().resolve(FILE) + "): two gateways"
      + " recording into one directory overwrite each other's recordings. Give each gateway its own"
      + " upstream.mocksDir, or record with one of them (mock mode only reads the directory)");
  }
}
