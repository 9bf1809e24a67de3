package io.gptedit.lab;

import io.gptedit.core.editor.EditOptions;
import io.gptedit.core.editor.ImageEditor;
import io.gptedit.core.image.RgbImage;

/** The baseline that returns its input unchanged: perfect identity, no instruction followed. */
final class CopyInputEditor implements ImageEditor {
  @Override
  public RgbImage edit(RgbImage input, String instruction, EditOptions options) {
    return input;
  }

  @Override
  public String name() {
    return "copy-input";
  }
}
