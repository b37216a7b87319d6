package io.botgate.cluster;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

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
}
