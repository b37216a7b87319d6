package io.botgate;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A saved file larger than the heap could parse stops the start naming it, rather than as "Java heap space". */
class ConfFilesTest {

  @Test
  void shouldRefuseAFileTheHeapCouldNotParseNamingItAndTheHeap() {
    long heap = 256L << 20;
    assertThatThrownBy(() -> ConfFiles.checkFits("integrations.file", "conf/integrations.json", 157_000_000L, heap))
      .hasMessageContaining("integrations.file: conf/integrations.json is 157000000 bytes")
      .hasMessageContaining("256 MiB").hasMessageContaining("-Xmx");
    assertThatCode(() -> ConfFiles.checkFits("integrations.file", "conf/integrations.json", 1_000_000L, heap))
      .doesNotThrowAnyException();
  }
}
