package io.gptedit.models;

import static java.util.Objects.requireNonNull;

import io.gptedit.core.GpteditException;
import io.gptedit.core.editor.EditOptions;
import io.gptedit.core.editor.ImageEditor;
import io.gptedit.core.image.RgbImage;
import io.gptedit.core.remote.OpenAiClient;
import io.gptedit.core.remote.PadCropEditor;
import io.gptedit.models.nn.DeviceException;
import io.gptedit.models.nn.Devices;
import io.gptedit.models.onnx.OnnxEditor;
import io.gptedit.models.text.ByteTokenizer;
import io.gptedit.models.text.JsonTokenizer;
import io.gptedit.models.text.TextTokenizer;
import io.gptedit.models.train.EditorCheckpoint;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Opens any {@link ImageEditor} from one string, the way {@code gptedit edit --editor SPEC} and {@code gptedit eval
 * --editor SPEC} do:
 *
 * <ul>
 *   <li>{@code checkpoint:DIR}: a fine-tuning run folder or one of its checkpoints ({@link EditorCheckpoint#load});
 *   <li>{@code onnx:DIR}: an exported ONNX editor folder ({@code onnx-editor.json} and its graphs), with the
 *       folder's own tokenizer ({@code tokenizer/} or {@code tokenizer.json}, read by {@link JsonTokenizer}) or the
 *       byte tokenizer when the folder has none;
 *   <li>{@code openai:MODEL}: an OpenAI-compatible image-edit API through the paper's pad-edit-crop procedure
 *       ({@link PadCropEditor}); the key is read from an environment variable and is optional for a loopback URL.
 * </ul>
 *
 * <pre>{@code
 * try (ImageEditor editor = Editors.open("checkpoint:runs/train")) {
 *   RgbImage out = editor.edit(ImageCodec.read(Path.of("cat.png")), "make the cat orange");
 * }
 * }</pre>
 *
 * @since 0.1
 */
public final class Editors {
  private Editors() {}

  /**
   * Opens an editor with the default API settings ({@link OpenAiClient#DEFAULT_BASE_URL}, key in {@link
   * OpenAiClient#DEFAULT_API_KEY_ENV}).
   *
   * @param spec {@code checkpoint:DIR}, {@code onnx:DIR} or {@code openai:MODEL}
   * @return the editor; close it to release its native memory, sessions or client
   * @throws GpteditException if the spec is malformed or the editor cannot be opened (naming the folder or file)
   */
  public static ImageEditor open(String spec) {
    return open(spec, OpenAiClient.DEFAULT_BASE_URL, OpenAiClient.DEFAULT_API_KEY_ENV);
  }

  /**
   * Opens an editor.
   *
   * @param spec {@code checkpoint:DIR}, {@code onnx:DIR} or {@code openai:MODEL}
   * @param apiBaseUrl for {@code openai:} editors, the API base URL
   * @param apiKeyEnv for {@code openai:} editors, the environment variable holding the key (optional for a
   *     loopback base URL)
   * @return the editor; close it to release its native memory, sessions or client
   * @throws GpteditException if the spec is malformed or the editor cannot be opened (naming the folder or file)
   */
  public static ImageEditor open(String spec, String apiBaseUrl, String apiKeyEnv) {
    return open(spec, apiBaseUrl, apiKeyEnv, "default");
  }

  /**
   * Opens an editor; a {@code checkpoint:} editor is loaded onto a device ({@link EditorCheckpoint#load(Path,
   * ai.djl.Device)}).
   *
   * @param spec {@code checkpoint:DIR}, {@code onnx:DIR} or {@code openai:MODEL}
   * @param apiBaseUrl for {@code openai:} editors, the API base URL
   * @param apiKeyEnv for {@code openai:} editors, the environment variable holding the key
   * @param device for {@code checkpoint:} editors, a device name ({@link Devices#parse}: {@code cpu}, {@code gpu:N},
   *     ...); the other kinds take only {@code default} (an ONNX editor picks its provider with {@code
   *     OnnxEditor.Builder.optDevice}, an API editor runs remotely)
   * @return the editor; close it to release its native memory, sessions or client
   * @throws DeviceException if the device name is malformed, the engine does not have it, or the kind takes none
   * @throws GpteditException if the spec is malformed or the editor cannot be opened (naming the folder or file)
   */
  public static ImageEditor open(String spec, String apiBaseUrl, String apiKeyEnv, String device) {
    requireNonNull(device, "device");
    int colon = spec == null ? -1 : spec.indexOf(':');
    if (colon <= 0 || colon == spec.length() - 1) {
      throw new GpteditException("an editor spec is checkpoint:DIR, onnx:DIR or openai:MODEL, got '" + spec + "'");
    }
    String kind = spec.substring(0, colon).toLowerCase(Locale.ROOT);
    String arg = spec.substring(colon + 1);
    if (!kind.equals("checkpoint") && !device.equalsIgnoreCase("default")) {
      throw new DeviceException("a device applies to checkpoint: editors only, not to '" + spec + "' (device '"
          + device + "'); an onnx: editor picks its execution provider with OnnxEditor.Builder.optDevice");
    }
    return switch (kind) {
      case "checkpoint" -> EditorCheckpoint.load(Path.of(arg), Devices.require(Devices.parse(device)));
      case "onnx" -> onnx(Path.of(arg));
      case "openai" -> openAi(arg, requireNonNull(apiBaseUrl, "apiBaseUrl"), requireNonNull(apiKeyEnv, "apiKeyEnv"));
      default -> throw new GpteditException(
          "an editor spec's kind is checkpoint, onnx or openai, got '" + kind + "' in '" + spec + "'");
    };
  }

  private static ImageEditor onnx(Path folder) {
    Path sub = folder.resolve("tokenizer");
    Path tokenizerFolder =
        Files.isDirectory(sub) ? sub : Files.isRegularFile(folder.resolve("tokenizer.json")) ? folder : null;
    TextTokenizer tokenizer = tokenizerFolder != null ? JsonTokenizer.fromFolder(tokenizerFolder) : new ByteTokenizer();
    OnnxEditor editor;
    try {
      editor = OnnxEditor.builder(folder).setTokenizer(tokenizer).build();
    } catch (RuntimeException e) {
      closeQuietly(tokenizer, e);
      throw e;
    }
    return owning(editor, editor.name(), tokenizer);
  }

  private static ImageEditor openAi(String model, String baseUrl, String keyEnv) {
    OpenAiClient client = OpenAiClient.builder()
        .optBaseUrl(baseUrl)
        .optApiKeyEnvironmentVariable(keyEnv)
        .optApiKeyRequired(!OpenAiClient.isLoopback(baseUrl))
        .optEditModel(model)
        .build();
    PadCropEditor pad = new PadCropEditor(client, ("openai-" + model).replaceAll("[^A-Za-z0-9._+-]", "-"), 0xFFFFFF);
    return owning(pad, pad.name(), client);
  }

  /** An editor that also closes {@code owned} (a tokenizer, a client) after the delegate. */
  private static ImageEditor owning(ImageEditor delegate, String name, Object owned) {
    return new ImageEditor() {
      @Override
      public RgbImage edit(RgbImage input, String instruction, EditOptions options) {
        return delegate.edit(input, instruction, options);
      }

      @Override
      public String name() {
        return name;
      }

      @Override
      public void close() {
        try {
          delegate.close();
        } finally {
          closeQuietly(owned, null);
        }
      }
    };
  }

  private static void closeQuietly(Object resource, RuntimeException primary) {
    if (!(resource instanceof AutoCloseable c)) {
      return;
    }
    try {
      c.close();
    } catch (Exception e) {
      if (primary != null) {
        primary.addSuppressed(e);
      } else {
        throw new GpteditException("closing " + resource.getClass().getSimpleName() + " failed: " + e.getMessage(), e);
      }
    }
  }
}
