package io.gptedit.core.metadata;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SampleIdTest {
  @ParameterizedTest
  @ValueSource(strings = {"", "has.dot", "has space", "/lead", "trail/", "a//b", "\u00e9"})
  void malformedIdsAreRejectedWithTheReason(String id) {
    assertThatThrownBy(() -> SampleId.check(id)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sample id");
  }

  @Test
  void wellFormedIdsAreKeptAsGiven() {
    assertThat(SampleId.check("syn-00000011")).isEqualTo("syn-00000011");
    assertThat(new SampleId("gedit/en/a_1").value()).isEqualTo("gedit/en/a_1");
    assertThat(new SampleId("gedit/en/a_1")).hasToString("gedit/en/a_1").isEqualTo(new SampleId("gedit/en/a_1"));
    assertThat(SampleId.check("x".repeat(200))).hasSize(200);
    assertThatThrownBy(() -> SampleId.check("x".repeat(201))).hasMessageContaining("1..200");
  }
}
