package io.gptedit.models.mllm;

import static java.util.Objects.requireNonNull;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.gptedit.core.image.RgbImage;
import io.gptedit.models.conditioning.QueryingMllm;
import io.gptedit.models.nn.DeviceException;
import io.gptedit.models.nn.Devices;
import io.gptedit.models.nn.WeightLoadException;
import io.gptedit.models.text.JsonTokenizer;
import io.gptedit.models.text.TokenizerException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Qwen2.5-VL as the paper's frozen MLLM: image and instruction in, the language model's last hidden state of
 * every prompt token out (1, L, 3584 for the 7B model), which the connector projects. It chains the image
 * processor, the prompt (chat template, tokenizer, M-RoPE positions) and the model, all in Java. As a
 * {@link QueryingMllm} it serves the MetaQuery fusion: the learned queries are appended after the prompt as input
 * embeddings and their output states returned, with gradients flowing back to the queries.
 *
 * <p>{@link #fromFolder(Path, DataType, QwenVlPrompt.Layout, Device)} and {@link #tiny(long, Device)} put the
 * model on a device ({@link Devices#require checked} before any file is read); the hidden states are computed
 * under the caller's manager, which must be on that device. Without one the model goes to the engine's default.
 *
 * @since 0.1
 */
public final class QwenVlEncoder implements QueryingMllm, AutoCloseable {
  private final QwenVlModel model;
  private final JsonTokenizer tokenizer;
  private final QwenVlImageProcessor processor;
  private final QwenVlPrompt.Layout layout;
  private final String id;

  /**
   * Wraps the parts; the encoder owns the model and the tokenizer.
   *
   * @param model the model
   * @param tokenizer its tokenizer
   * @param processor its image processor
   * @param layout the prompt layout
   * @param id the identity of the weights and preprocessing, for embedding caches
   */
  public QwenVlEncoder(QwenVlModel model, JsonTokenizer tokenizer, QwenVlImageProcessor processor,
      QwenVlPrompt.Layout layout, String id) {
    this.model = requireNonNull(model, "model");
    this.tokenizer = requireNonNull(tokenizer, "tokenizer");
    this.processor = requireNonNull(processor, "processor");
    this.layout = requireNonNull(layout, "layout");
    this.id = requireNonNull(id, "id");
  }

  /**
   * Loads a Qwen2.5-VL folder: {@code config.json}, the weights, {@code tokenizer.json} (with
   * {@code tokenizer_config.json}) and {@code preprocessor_config.json}; the chat template, when the folder has
   * one, must hold the vision tokens this class renders.
   *
   * @param folder the folder
   * @param storage FLOAT32, or FLOAT16 for half the memory
   * @param layout the prompt layout ({@link QwenVlPrompt.Layout#CHAT} for the plain model)
   * @return the encoder
   * @throws WeightLoadException if a model file is missing or does not fit
   * @throws TokenizerException if the tokenizer files are malformed
   */
  public static QwenVlEncoder fromFolder(Path folder, DataType storage, QwenVlPrompt.Layout layout) {
    return fromFolder(folder, storage, layout, Devices.defaultDevice());
  }

  /**
   * Loads a Qwen2.5-VL folder like {@link #fromFolder(Path, DataType, QwenVlPrompt.Layout)}, with the model on a
   * device.
   *
   * @param folder the folder
   * @param storage FLOAT32, or FLOAT16 for half the memory
   * @param layout the prompt layout ({@link QwenVlPrompt.Layout#CHAT} for the plain model)
   * @param device where the model's weights live ({@link Devices#require checked} before any file is read)
   * @return the encoder
   * @throws DeviceException if the engine does not have the device
   * @throws WeightLoadException if a model file is missing or does not fit
   * @throws TokenizerException if the tokenizer files are malformed
   */
  public static QwenVlEncoder fromFolder(Path folder, DataType storage, QwenVlPrompt.Layout layout,
      Device device) {
    Devices.require(device);
    QwenVlImageProcessor processor = QwenVlImageProcessor.fromFile(folder.resolve("preprocessor_config.json"));
    checkTemplate(folder);
    QwenVlModel model = QwenVlModel.fromFolder(folder, storage, device);
    try {
      JsonTokenizer tokenizer = JsonTokenizer.fromFolder(folder);
      String id = "qwen2.5-vl(" + folder.toAbsolutePath().normalize() + ", " + storage + ", " + layout + ", pixels "
          + processor.minPixels() + ".." + processor.maxPixels() + ")";
      return new QwenVlEncoder(model, tokenizer, processor, layout, id);
    } catch (RuntimeException e) {
      model.close();
      throw e;
    }
  }

  /** Qwen2.5-VL's special tokens in their published order (ids 151643..151656 in the real vocabulary). */
  static final List<String> SPECIAL_TOKENS = List.of("<|endoftext|>", "<|im_start|>", "<|im_end|>",
      "<|object_ref_start|>", "<|object_ref_end|>", "<|box_start|>", "<|box_end|>", "<|quad_start|>", "<|quad_end|>",
      "<|vision_start|>", "<|vision_end|>", "<|vision_pad|>", "<|image_pad|>", "<|video_pad|>");

  /**
   * A tiny Qwen2.5-VL with seeded random weights, for tiny configs (the edit lab's fusion comparison, tests): the
   * real architecture and preprocessing at toy size (text width 32, 2 decoder layers with grouped-query attention
   * 4/2 and M-RoPE sections 2/1/1; a 2-block vision tower of width 16 with 56-pixel windows and full attention in
   * block 1; images resized to 3136 .. 12544 pixels) and a byte-level tokenizer (the 256 bytes plus Qwen's 14 special
   * tokens, no merges) built in code.
   *
   * @param seed the seed of every weight
   * @return the encoder ({@link QwenVlPrompt.Layout#CHAT}); close it
   */
  public static QwenVlEncoder tiny(long seed) {
    return tiny(seed, Devices.defaultDevice());
  }

  /**
   * The tiny Qwen2.5-VL of {@link #tiny(long)} with its weights on a device (the same values: they are drawn in
   * Java).
   *
   * @param seed the seed of every weight
   * @param device where the weights live
   * @return the encoder ({@link QwenVlPrompt.Layout#CHAT}); close it
   * @throws DeviceException if the engine does not have the device
   */
  public static QwenVlEncoder tiny(long seed, Device device) {
    Devices.require(device);
    int vocab = 256 + SPECIAL_TOKENS.size();
    int image = 256 + SPECIAL_TOKENS.indexOf("<|image_pad|>");
    QwenVlConfig config = new QwenVlConfig(
        new QwenVlConfig.Text(vocab, 32, 48, 2, 4, 2, 1e-6f, 10000, new int[] {2, 1, 1}),
        new QwenVlConfig.Vision(2, 16, 24, 2, 32, 14, 2, 2, 56, new int[] {1}),
        image, image - 3, image - 2);
    QwenVlModel model = QwenVlModel.random(config, seed, device);
    try {
      JsonTokenizer tokenizer = JsonTokenizer.fromJson(byteLevelTokenizer(), "tiny byte-level Qwen tokenizer");
      return new QwenVlEncoder(model, tokenizer, QwenVlImageProcessor.withPixels(56 * 56, 28 * 28 * 16),
          QwenVlPrompt.Layout.CHAT, "qwen2.5-vl-tiny(seed=" + seed + ")");
    } catch (RuntimeException e) {
      model.close();
      throw e;
    }
  }

  /** A byte-level BPE tokenizer.json without merges: GPT-2's byte alphabet, then Qwen's special tokens. */
  static String byteLevelTokenizer() {
    com.fasterxml.jackson.databind.node.JsonNodeFactory f = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance;
    com.fasterxml.jackson.databind.node.ObjectNode root = f.objectNode();
    root.put("version", "1.0");
    root.putNull("truncation");
    root.putNull("padding");
    com.fasterxml.jackson.databind.node.ArrayNode added = root.putArray("added_tokens");
    for (int i = 0; i < SPECIAL_TOKENS.size(); i++) {
      added.addObject().put("id", 256 + i).put("content", SPECIAL_TOKENS.get(i)).put("single_word", false)
          .put("lstrip", false).put("rstrip", false).put("normalized", false).put("special", true);
    }
    root.putNull("normalizer");
    root.putObject("pre_tokenizer").put("type", "ByteLevel").put("add_prefix_space", false)
        .put("trim_offsets", true).put("use_regex", true);
    root.putNull("post_processor");
    root.putObject("decoder").put("type", "ByteLevel").put("add_prefix_space", false).put("trim_offsets", true)
        .put("use_regex", true);
    com.fasterxml.jackson.databind.node.ObjectNode model = root.putObject("model");
    model.put("type", "BPE").putNull("dropout").putNull("unk_token").putNull("continuing_subword_prefix")
        .putNull("end_of_word_suffix").put("fuse_unk", false).put("byte_fallback", false);
    com.fasterxml.jackson.databind.node.ObjectNode vocab = model.putObject("vocab");
    // GPT-2's reversible byte -> printable character table.
    List<Integer> bytes = new java.util.ArrayList<>();
    for (int b = '!'; b <= '~'; b++) {
      bytes.add(b);
    }
    for (int b = 0xA1; b <= 0xAC; b++) {
      bytes.add(b);
    }
    for (int b = 0xAE; b <= 0xFF; b++) {
      bytes.add(b);
    }
    int[] chars = new int[256];
    java.util.Set<Integer> printable = new java.util.HashSet<>(bytes);
    for (int b : bytes) {
      chars[b] = b;
    }
    int extra = 0;
    for (int b = 0; b < 256; b++) {
      if (!printable.contains(b)) {
        chars[b] = 256 + extra++;
      }
    }
    for (int b = 0; b < 256; b++) {
      vocab.put(new String(Character.toChars(chars[b])), b);
    }
    model.putArray("merges");
    return root.toString();
  }

  /** Fails when the folder's chat template does not render images as the vision tokens used here. */
  static void checkTemplate(Path folder) {
    Path template = folder.resolve("chat_template.json");
    if (!Files.isRegularFile(template)) {
      return;
    }
    String t = PreprocessorJson.read(template).string("chat_template", "");
    if (!t.contains(QwenVlPrompt.IMAGE) || !t.contains("<|im_start|>")) {
      throw new WeightLoadException(template + ": the chat template does not render images as "
          + QwenVlPrompt.IMAGE + " inside <|im_start|> turns (not a Qwen2.5-VL template)");
    }
  }

  /**
   * Returns the model.
   *
   * @return the model
   */
  public QwenVlModel model() {
    return model;
  }

  /**
   * Returns the image processor.
   *
   * @return the processor
   */
  public QwenVlImageProcessor processor() {
    return processor;
  }

  /**
   * Returns the identity of the weights and preprocessing.
   *
   * @return the id
   */
  @Override
  public String id() {
    return id;
  }

  /**
   * Builds the prompt of an image and an instruction.
   *
   * @param image the image
   * @param instruction the instruction
   * @return the prompt and the preprocessed image
   */
  public Prepared prepare(RgbImage image, String instruction) {
    QwenVlPixels pixels = processor.preprocess(requireNonNull(image, "image"));
    QwenVlPrompt prompt = QwenVlPrompt.build(tokenizer, model.config(), instruction, List.of(pixels), layout);
    return new Prepared(prompt, pixels);
  }

  /**
   * A prompt with its preprocessed image.
   *
   * @param prompt the ids and positions
   * @param pixels the image
   */
  public record Prepared(QwenVlPrompt prompt, QwenVlPixels pixels) {
    /** Checks both parts are present. */
    public Prepared {
      requireNonNull(prompt, "prompt");
      requireNonNull(pixels, "pixels");
    }
  }

  @Override
  public NDArray hiddenStates(RgbImage image, String instruction, NDManager manager) {
    Prepared p = prepare(image, instruction);
    return model.hiddenStates(p.prompt(), List.of(p.pixels()), manager);
  }

  @Override
  public NDArray queryStates(List<RgbImage> images, List<String> instructions, NDArray queries,
      NDManager manager) {
    if (images.size() != instructions.size() || images.isEmpty()) {
      throw new IllegalArgumentException(images.size() + " images for " + instructions.size() + " instructions");
    }
    long n = queries.getShape().get(0);
    ai.djl.ndarray.NDList states = new ai.djl.ndarray.NDList();
    for (int i = 0; i < images.size(); i++) {
      Prepared p = prepare(images.get(i), instructions.get(i));
      NDArray h = model.hiddenStates(p.prompt(), List.of(p.pixels()), queries, manager);
      long len = h.getShape().get(1);
      states.add(h.get(":, " + (len - n) + ":, :"));
    }
    // NDArrays.concat of a single array returns a copy outside the autograd graph: keep the array itself.
    return states.size() == 1 ? states.get(0) : ai.djl.ndarray.NDArrays.concat(states, 0);
  }

  @Override
  public String toString() {
    return id;
  }

  @Override
  public void close() {
    try {
      model.close();
    } finally {
      tokenizer.close();
    }
  }
}
