package io.gptedit.examples;

import io.gptedit.core.editor.ImageEditor;
import io.gptedit.core.remote.OpenAiClient;
import io.gptedit.models.Editors;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --editor SPEC}: any {@link ImageEditor} from one string ({@link Editors#open(String, String, String)}). */
final class EditorSpecs {
  @Option(names = "--editor", description = "checkpoint:DIR, onnx:DIR or openai:MODEL.")
  String editor;

  @Option(names = "--editor-base-url", description = "openai: editors: the API base URL (default ${DEFAULT-VALUE}).")
  String apiBaseUrl = OpenAiClient.DEFAULT_BASE_URL;

  @Option(names = "--editor-key-env", description = "openai: editors: the environment variable holding the key (default ${DEFAULT-VALUE}).")
  String apiKeyEnv = OpenAiClient.DEFAULT_API_KEY_ENV;

  @Option(names = "--device", description = "checkpoint editors: cpu, gpu:N or default, the engine's (default ${DEFAULT-VALUE}).")
  String device = "default";

  /** Opens the editor {@link #editor} names, or the {@code checkpoint} folder when given; close it when done. */
  ImageEditor open(Path checkpoint) {
    System.setProperty("ai.djl.offline", "true");
    return Editors.open(checkpoint != null ? "checkpoint:" + checkpoint : editor, apiBaseUrl, apiKeyEnv, device);
  }
}
