package io.botgate.integration;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
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

  private MocksDirLock(Path key, FileChannel channel, FileLock lock, Object fileKey) {
    this.key = key;
    this.channel = channel;
    this.lock = lock;
    this.fileKey = fileKey;
  }

  /**
   * Takes the lock of {@code dir} (made if missing) for {@code node}. Blocking.
   *
   * @throws IllegalStateException naming the directory and the gateway that holds it
   */
  static MocksDirLock take(Path dir, String node) throws IOException {
    Files.createDirectories(dir);
    Path key = dir.toRealPath();
    String holder = new JsonObject().put("node", node).put("pid", ProcessHandle.current().pid())
      .put("since", Instant.now().toString()).encode();
    String before = HELD_HERE.putIfAbsent(key, holder);
    if (before != null) {
      throw inUse(dir, before, "in this process");
    }
    FileChannel channel = null;
    try {
      Path file = key.resolve(FILE);
      channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
      FileLock lock = channel.tryLock();
      if (lock == null) {
        throw inUse(dir, Files.readString(file, StandardCharsets.UTF_8), "in another process");
      }
      channel.truncate(0);
      channel.write(ByteBuffer.wrap((holder + "\n").getBytes(StandardCharsets.UTF_8)), 0);
      channel.force(true);
      return new MocksDirLock(key, channel, lock, Files.readAttributes(file, BasicFileAttributes.class).fileKey());
    } catch (IOException | RuntimeException e) {
      if (channel != null) {
        channel.close();
      }
      HELD_HERE.remove(key);
      throw e;
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
