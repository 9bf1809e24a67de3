package io.gptedit.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gptedit.core.GpteditException;
import io.gptedit.core.editor.ImageEditor;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EditorsTest {
  @TempDir Path tmp;

  @Test
  void aSpecWithoutAKindOrAnArgumentIsAGpteditExceptionQuotingIt() {
    for (String bad : new String[] {"runs/train", ":x", "checkpoint:", ""}) {
      assertThatThrownBy(() -> Editors.open(bad))
          .as(bad)
          .isInstanceOf(GpteditException.class)
          .hasMessageContaining("checkpoint:DIR, onnx:DIR or openai:MODEL")
          .hasMessageContaining("'" + bad + "'");
    }
    assertThatThrownBy(() -> Editors.open(null)).isInstanceOf(GpteditException.class);
  }

  @Test
  void anUnknownKindIsNamedWithTheChoices() {
    assertThatThrownBy(() -> Editors.open("diffusers:runs/x"))
        .isInstanceOf(GpteditException.class)
        .hasMessageContaining("'diffusers'")
        .hasMessageContaining("checkpoint, onnx or openai");
  }

  @Test
  void aMissingCheckpointOrOnnxFolderIsNamed() {
    Path nowhere = tmp.resolve("nowhere");
    assertThatThrownBy(() -> Editors.open("checkpoint:" + nowhere))
        .isInstanceOf(GpteditException.class)
        .hasMessageContaining(nowhere.toString());
    assertThatThrownBy(() -> Editors.open("ONNX:" + nowhere))
        .isInstanceOf(GpteditException.class)
        .hasMessageContaining(nowhere.toString());
  }

  @Test
  void anOpenAiEditorOnALoopbackUrlNeedsNoKeyAndIsNamedAfterItsModel() {
    try (ImageEditor e = Editors.open("openai:gpt-image-1", "http://127.0.0.1:9/v1", "GPTEDIT_TEST_UNSET_KEY")) {
      assertThat(e.name()).isEqualTo("openai-gpt-image-1");
    }
  }
}
