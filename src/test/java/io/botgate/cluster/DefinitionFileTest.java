package io.botgate.cluster;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.botgate.GatewayError;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DefinitionFileTest {

  private static final List<JsonObject> ONE = List.of(new JsonObject().put("name", "one").put("method", "GET"));

  @Test
  void shouldCreateTheFileAndItsDirectoriesReadableByItsOwnerOnly(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("conf/sub/integrations.json");

    new DefinitionFile("integrations", file.toString()).write(ONE);

    assertThat(new JsonArray(Files.readString(file))).containsExactly(ONE.get(0));
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
  }

  @Test
  void shouldKeepTheModeOfTheFileItReplaces(@TempDir Path dir) throws IOException {
    Path file = Files.writeString(dir.resolve("integrations.json"), "[]");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r-----"));

    new DefinitionFile("integrations", file.toString()).write(ONE);

    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-r-----");
    try (var files = Files.list(dir)) {
      assertThat(files).as("no temporary file left").containsExactly(file);
    }
  }

  @Test
  void shouldRemoveTheTemporaryFilesACrashLeftButNotOneBeingWrittenNow(@TempDir Path dir) throws IOException {
    Path file = Files.writeString(dir.resolve("credentials.json"), "[]");
    Path left = Files.writeString(dir.resolve(".credentials.json.123.tmp"), "[{\"value\": \"secret\"}]");
    Files.setLastModifiedTime(left, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() - 3_600_000));
    Path writing = Files.writeString(dir.resolve(".credentials.json.456.tmp"), "[");
    Path other = Files.writeString(dir.resolve(".integrations.json.789.tmp"), "[]");
    Files.setLastModifiedTime(other, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() - 3_600_000));

    new DefinitionFile("credentials", file.toString()).write(ONE);

    assertThat(left).doesNotExist();
    assertThat(writing).as("another process may be writing it").exists();
    assertThat(other).as("another kind's file").exists();
  }

  @Test
  void shouldReplaceWhatASymbolicLinkPointsToAndKeepTheLink(@TempDir Path dir) throws IOException {
    Path target = Files.writeString(Files.createDirectory(dir.resolve("real")).resolve("integrations.json"), "[]");
    Path link = Files.createSymbolicLink(dir.resolve("integrations.json"), target);

    new DefinitionFile("integrations", link.toString()).write(ONE);

    assertThat(Files.isSymbolicLink(link)).isTrue();
    assertThat(new JsonArray(Files.readString(target))).containsExactly(ONE.get(0));
  }

  /**
   * Another gateway on the same file writes it under the lock this one checks and writes under: this one's write
   * waits for it, then finds the file changed and refuses (409), rather than checking, letting the other write,
   * and renaming its own set over what the other had just acknowledged.
   */
  @Test
  void shouldWaitForAnotherGatewaysWriteAndThenRefuseToWriteOverIt(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("integrations.json"), "[]");
    DefinitionFile mine = new DefinitionFile("integrations", file.toString());
    mine.soleWriter(new JsonArray());
    Process other = holdingItsLock(file);
    try {

      CompletableFuture<Void> write = CompletableFuture.runAsync(() -> mine.write(ONE));
      Thread.sleep(500); // a negative check: the write must not get past the other's lock
      assertThat(write).as("the write waits for the other gateway's").isNotDone();
      String theirs = new JsonArray().add(new JsonObject().put("name", "theirs").put("method", "GET")).encodePrettily();
      Files.writeString(dir.resolve("theirs.tmp"), theirs);
      Files.move(dir.resolve("theirs.tmp"), file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      other.destroyForcibly(); // its lock goes with it

      assertThatThrownBy(() -> write.get(60, TimeUnit.SECONDS)).hasCauseInstanceOf(GatewayError.class)
        .hasMessageContaining("was changed by another process");
      assertThat(Files.readString(file)).isEqualTo(theirs);
    } finally {
      other.destroyForcibly();
      other.waitFor(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void shouldRefuseTheWriteWhenAnotherProcessHoldsTheLockPastTheWait(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("integrations.json"), "[]");
    DefinitionFile mine = new DefinitionFile("integrations", file.toString()).lockWaitMillis(300);
    mine.soleWriter(new JsonArray());
    Process other = holdingItsLock(file);
    try {

      // a stopped gateway holds its lock for ever: the write gives up, saying why, and changes nothing
      CompletableFuture<Void> write = CompletableFuture.runAsync(() -> mine.write(ONE));
      assertThatThrownBy(() -> write.get(60, TimeUnit.SECONDS)).hasCauseInstanceOf(GatewayError.class)
        .hasMessageContaining("another gateway or process has held the lock of " + file.toRealPath());
      assertThat(Files.readString(file)).isEqualTo("[]");
    } finally {
      other.destroyForcibly();
      other.waitFor(30, TimeUnit.SECONDS);
    }
    mine.write(ONE); // and writes once it is gone
    assertThat(Files.readString(file)).contains("\"name\"");
  }

  @Test
  void shouldWaitForALockHeldInThisProcessUnderAnotherPathAsForAnotherProcess(@TempDir Path dir) throws Exception {
    Path real = Files.createDirectory(dir.resolve("conf"));
    Path file = Files.writeString(real.resolve("integrations.json"), "[]");
    Path linked = Files.createSymbolicLink(dir.resolve("linked"), real).resolve("integrations.json");
    DefinitionFile mine = new DefinitionFile("integrations", linked.toString()).lockWaitMillis(300);
    mine.soleWriter(new JsonArray());
    // a gateway of this process writing the same file named by its real directory: Java reports an overlap at once
    try (FileChannel other = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
         var held = other.lock()) {
      assertThatThrownBy(() -> mine.write(ONE)).isInstanceOf(GatewayError.class)
        .hasMessageContaining("has held the lock of");
    }
    mine.write(ONE);
    assertThat(Files.readString(file)).contains("\"one\"");
  }

  /** Another process holding the file's lock ({@link HoldsFileLock}), once it has it. */
  private static Process holdingItsLock(Path file) throws IOException {
    Process other = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
      "-Xmx32m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
      HoldsFileLock.class.getName(), file.toString()).redirectErrorStream(true).start();
    try {
      BufferedReader said = new BufferedReader(new InputStreamReader(other.getInputStream(), StandardCharsets.UTF_8));
      assertThat(said.readLine()).isEqualTo("locked");
      return other;
    } catch (IOException | AssertionError e) {
      other.destroyForcibly();
      throw e;
    }
  }

  /** Another gateway writing the file: holds its lock until killed. */
  public static final class HoldsFileLock {
    public static void main(String[] args) throws IOException, InterruptedException {
      try (FileChannel channel = FileChannel.open(Path.of(args[0]), StandardOpenOption.READ, StandardOpenOption.WRITE)) {
        channel.lock();
        System.out.println("locked");
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
      }
    }
  }
}
