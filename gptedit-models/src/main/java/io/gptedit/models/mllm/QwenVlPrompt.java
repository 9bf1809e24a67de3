package io.gptedit.models.mllm;

import static java.util.Objects.requireNonNull;

import io.gptedit.models.text.JsonTokenizer;
import io.gptedit.models.text.TokenizerException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A Qwen2.5-VL prompt as the model reads it: the chat text of one user turn with its images and instruction,
 * rendered as Qwen2.5-VL's published chat template renders it with the generation prompt ({@link Layout#CHAT}) or
 * as GPT-Image-Edit's CLI cuts it ({@link Layout#RELEASE}), tokenized with {@code tokenizer.json}, each
 * {@code <|image_pad|>} repeated once per merged image token as the processor does, and the multimodal rotary
 * position ids of {@code get_rope_index} (text tokens count up on all three axes; an image's tokens take
 * (start, start + row, start + column) and the text after it resumes at start + max(rows, columns)).
 *
 * @param ids the token ids
 * @param positionIds (3, ids.length): temporal, height and width positions
 * @since 0.1
 */
public record QwenVlPrompt(int[] ids, int[][] positionIds) {
  /** The default system prompt of Qwen2.5-VL's chat template. */
  public static final String SYSTEM = "You are a helpful assistant.";
  /** The tokens the template puts in place of an image. */
  public static final String IMAGE = "<|vision_start|><|image_pad|><|vision_end|>";
  /** The longest prompt built (the 7B model's position limit is 128,000). */
  public static final int MAX_TOKENS = 128_000;

  /**
   * Validates the shapes.
   *
   * @throws IllegalArgumentException if the positions are not 3 rows of the ids' length
   */
  public QwenVlPrompt {
    requireNonNull(ids, "ids");
    requireNonNull(positionIds, "positionIds");
    if (positionIds.length != 3) {
      throw new IllegalArgumentException("M-RoPE positions need 3 rows, got " + positionIds.length);
    }
    ids = ids.clone();
    int[][] copy = new int[3][];
    for (int a = 0; a < 3; a++) {
      if (positionIds[a].length != ids.length) {
        throw new IllegalArgumentException("position row " + a + " has " + positionIds[a].length + " entries for "
            + ids.length + " ids");
      }
      copy[a] = positionIds[a].clone();
    }
    positionIds = copy;
  }

  @Override
  public int[] ids() {
    return ids.clone();
  }

  @Override
  public int[][] positionIds() {
    int[][] copy = new int[3][];
    for (int a = 0; a < 3; a++) {
      copy[a] = positionIds[a].clone();
    }
    return copy;
  }

  /** Where the system turn and the images go in the one user turn. */
  public enum Layout {
    /**
     * Qwen2.5-VL's chat template as a processor renders {@code [images..., instruction]} with the generation
     * prompt: the default system turn, then the images, then the instruction.
     */
    CHAT,
    /**
     * What GPT-Image-Edit's (UniWorld's) CLI feeds the MLLM: the user turn holds the instruction then the images,
     * and the system turn is cut from the rendered chat text.
     */
    RELEASE
  }

  /**
   * Renders the chat text of one user turn holding {@code images} images and the instruction, with the
   * generation prompt.
   *
   * @param instruction the instruction
   * @param images the number of images
   * @param layout where the system turn and the images go
   * @return the text, with one {@code <|image_pad|>} per image
   */
  public static String chatText(String instruction, int images, Layout layout) {
    requireNonNull(instruction, "instruction");
    requireNonNull(layout, "layout");
    if (images < 0) {
      throw new IllegalArgumentException("negative image count " + images);
    }
    StringBuilder b = new StringBuilder();
    if (layout == Layout.CHAT) {
      b.append("<|im_start|>system\n").append(SYSTEM).append("<|im_end|>\n");
    }
    b.append("<|im_start|>user\n");
    if (layout == Layout.RELEASE) {
      b.append(instruction);
    }
    for (int i = 0; i < images; i++) {
      b.append(IMAGE);
    }
    if (layout == Layout.CHAT) {
      b.append(instruction);
    }
    b.append("<|im_end|>\n<|im_start|>assistant\n");
    return b.toString();
  }

  /**
   * Builds the prompt of an instruction about images.
   *
   * @param tokenizer the model's tokenizer ({@code tokenizer.json} of the checkpoint)
   * @param config the model config (vision token ids)
   * @param instruction the instruction
   * @param images the preprocessed images, in order
   * @param layout where the system turn and the images go
   * @return the prompt
   * @throws TokenizerException if the tokenizer does not split the vision tokens off as single tokens with the
   *     config's ids
   * @throws IllegalArgumentException if the prompt exceeds {@link #MAX_TOKENS}
   */
  public static QwenVlPrompt build(JsonTokenizer tokenizer, QwenVlConfig config, String instruction,
      List<QwenVlPixels> images, Layout layout) {
    requireNonNull(tokenizer, "tokenizer");
    requireNonNull(config, "config");
    String text = chatText(instruction, images.size(), layout);
    int[] raw = tokenizer.encode(text, MAX_TOKENS);
    List<Integer> out = new ArrayList<>(raw.length);
    List<Integer> grids = new ArrayList<>();
    int next = 0;
    int imageId = config.imageTokenId();
    for (int id : raw) {
      if (id != imageId) {
        out.add(id);
        continue;
      }
      if (next >= images.size()) {
        throw new TokenizerException("the instruction itself contains the image token <|image_pad|>");
      }
      QwenVlPixels p = images.get(next++);
      for (int i = 0; i < p.imageTokens(); i++) {
        out.add(imageId);
      }
    }
    if (next != images.size()) {
      throw new TokenizerException("the tokenizer did not give <|image_pad|> the id " + imageId + " of the config");
    }
    if (out.size() > MAX_TOKENS) {
      throw new IllegalArgumentException("the prompt has " + out.size() + " tokens, more than " + MAX_TOKENS);
    }
    int[] ids = out.stream().mapToInt(Integer::intValue).toArray();
    return new QwenVlPrompt(ids, positions(ids, imageId, images));
  }

  /** transformers' {@code get_rope_index} for one unpadded sequence of text and images. */
  static int[][] positions(int[] ids, int imageId, List<QwenVlPixels> images) {
    int[][] pos = new int[3][ids.length];
    int current = 0;
    int next = 0;
    int i = 0;
    while (i < ids.length) {
      if (ids[i] != imageId) {
        for (int a = 0; a < 3; a++) {
          pos[a][i] = current;
        }
        current++;
        i++;
        continue;
      }
      QwenVlPixels p = images.get(next++);
      int m = p.mergeSize();
      int lh = p.gridH() / m;
      int lw = p.gridW() / m;
      int k = i;
      for (int tt = 0; tt < p.gridT(); tt++) {
        for (int r = 0; r < lh; r++) {
          for (int c = 0; c < lw; c++) {
            pos[0][k] = current + tt;
            pos[1][k] = current + r;
            pos[2][k] = current + c;
            k++;
          }
        }
      }
      i = k;
      current += Math.max(lh, lw);
    }
    return pos;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof QwenVlPrompt p && Arrays.equals(p.ids, ids) && Arrays.deepEquals(p.positionIds, positionIds);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(ids) * 31 + Arrays.deepHashCode(positionIds);
  }

  @Override
  public String toString() {
    return "QwenVlPrompt[" + ids.length + " tokens]";
  }
}
