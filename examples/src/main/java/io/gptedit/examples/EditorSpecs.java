package io.gptedit.examples;

import io.gptedit.core.editor.EditOptions;
import io.gptedit.core.editor.ImageEditor;
import io.gptedit.core.image.RgbImage;
import io.gptedit.core.remote.OpenAiClient;
import io.gptedit.core.remote.PadCropEditor;
import io.gptedit.models.onnx.OnnxEditor;
import io.gptedit.models.text.ByteTokenizer;
import io.gptedit.models.train.EditorCheckpoint;
import java.net.URI;
import java.nio.file.Path;
import java.util.Locale;
import picocli.CommandLine.Option;

/**
 * {@code --editor SPEC}: any {@link ImageEditor} from one string.
 *
 * <ul>
 *   <li>{@code checkpoint:DIR}: a fine-tuning run folder or one of its checkpoints ({@link EditorCheckpoint});
 *   <li>{@code onnx:DIR}: an exported ONNX editor folder ({@code onnx-editor.json} and its graphs) with the byte
 *       tokenizer (the only tokenizer gptedit-models ships today);
 *   <li>{@code openai:MODEL}: an OpenAI-compatible image-edit API ({@code --editor-base-url}, key from the environment
 *       variable {@code --editor-key-env}) through the paper's pad-edit-crop procedure.
 * </ul>
 */
final class EditorSpecs {
  @Option(names = "--editor", description = "checkpoint:DIR, onnx:DIR or openai:MODEL.")
  String editor;

  @Option(names = "--editor-base-url", description = "openai: editors: the API base URL (default ${DEFAULT-VALUE}).")
  String apiBaseUrl = OpenAiClient.DEFAULT_BASE_URL;

  @Option(names = "--editor-key-env", description = "openai: editors: the environment variable holding the key (default ${DEFAULT-VALUE}).")
  String apiKeyEnv = OpenAiClient.DEFAULT_API_KEY_ENV;

  /** Opens the editor {@link #editor} names; close it when done. */
  ImageEditor open() {
    return open(editor, apiBaseUrl, apiKeyEnv);
  }

  static ImageEditor open(String spec, String apiBaseUrl, String apiKeyEnv) {
    int colon = spec == null ? -1 : spec.indexOf(':');
    if (colon <= 0 || colon == spec.length() - 1) {
      throw new IllegalArgumentException("--editor must be checkpoint:DIR, onnx:DIR or openai:MODEL, got '" + spec + "'");
    }
    String kind = spec.substring(0, colon).toLowerCase(Locale.ROOT);
    String arg = spec.substring(colon + 1);
    System.setProperty("ai.djl.offline", "true");
    return switch (kind) {
      case "checkpoint" -> EditorCheckpoint.load(Path.of(arg));
      case "onnx" -> OnnxEditor.builder(Path.of(arg)).setTokenizer(new ByteTokenizer()).build();
      case "openai" -> {
        OpenAiClient client = OpenAiClient.builder()
            .optBaseUrl(apiBaseUrl)
            .optApiKeyEnvironmentVariable(apiKeyEnv)
            .optApiKeyRequired(!isLoopback(apiBaseUrl))
            .optEditModel(arg)
            .build();
        PadCropEditor pad = new PadCropEditor(client, safeName("openai-" + arg), 0xFFFFFF);
        yield new ImageEditor() {
          @Override
          public RgbImage edit(RgbImage input, String instruction, EditOptions options) {
            return pad.edit(input, instruction, options);
          }

          @Override
          public String name() {
            return pad.name();
          }

          @Override
          public void close() {
            pad.close();
            client.close();
          }
        };
      }
      default -> throw new IllegalArgumentException(
          "--editor kind must be checkpoint, onnx or openai, got '" + kind + "'");
    };
  }

  /** Whether a base URL is on this machine: a key is then optional (a local stand-in or server). */
  static boolean isLoopback(String baseUrl) {
    try {
      String host = URI.create(baseUrl).getHost();
      return host != null && (host.equals("localhost") || host.equals("127.0.0.1") || host.equals("[::1]"));
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  static String safeName(String name) {
    return name.replaceAll("[^A-Za-z0-9._+-]", "-");
  }
}
