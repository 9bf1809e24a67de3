package io.gptedit.models.text;

import static java.util.Objects.requireNonNull;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A tokenizer loaded from HuggingFace files ({@code tokenizer.json}, or CLIP's {@code vocab.json} +
 * {@code merges.txt}) and run by the HuggingFace {@code tokenizers} library through DJL, as transformers' fast
 * tokenizers run it.
 *
 * <p>{@link #fromFolder(Path)} reads a model's tokenizer folder as diffusers and transformers ship it
 * ({@code tokenizer/}, {@code tokenizer_2/}, ...): the tokenizer itself, the special tokens and
 * {@code added_tokens_decoder} of {@code tokenizer_config.json} and {@code special_tokens_map.json} (added to the
 * tokenizer as transformers does, so SD3's pad token {@code "!"} is a special token there too), the pad token and
 * {@code model_max_length}. Truncation keeps the tokenizer's special tokens (the library truncates before its
 * post-processor adds them), padding is on the right with the pad id, and the attention mask is 1 for every real
 * token: exactly what {@code tokenizer(text, padding="max_length", max_length=n, truncation=True)} returns. A
 * truncated prompt is logged as a warning with the dropped text, as diffusers does.
 *
 * <p>The native library ships inside DJL's tokenizers jar (Linux x86-64 and aarch64, macOS aarch64, Windows
 * x86-64) and is extracted on first use; run with {@code -Dai.djl.offline=true} (or {@code OPT_OUT_TRACKING=true})
 * so DJL never contacts the network. Instances are thread-safe; close them to free the native tokenizers.
 *
 * @since 0.1
 */
public final class JsonTokenizer implements TextTokenizer, AutoCloseable {
  /** The largest tokenizer file read (the largest published tokenizer.json files are around 20 MB). */
  public static final long MAX_FILE_BYTES = 128L << 20;
  /** The longest text tokenized: longer input is rejected rather than tokenized in full. */
  public static final int MAX_TEXT_CHARS = 1_000_000;
  /** transformers' marker for "no limit" in {@code model_max_length} is 1e30; anything above this is no limit. */
  private static final double NO_LIMIT = 1e9;
  /** How many distinct truncation lengths keep a native tokenizer each. */
  private static final int MAX_LENGTHS = 16;
  /** The longest dropped-text excerpt a truncation warning quotes. */
  private static final int WARNING_EXCERPT = 300;
  /** CLIP's pre-tokenizer pattern (transformers' CLIPTokenizer and OpenAI's simple_tokenizer). */
  private static final String CLIP_SPLIT =
      "<\\|startoftext\\|>|<\\|endoftext\\|>|'s|'t|'re|'ve|'m|'ll|'d|[\\p{L}]+|[\\p{N}]|[^\\s\\p{L}\\p{N}]+";
  private static final String[] NAMED_SPECIALS = {
    "bos_token", "eos_token", "unk_token", "sep_token", "pad_token", "cls_token", "mask_token"
  };
  private static final Logger LOG = LoggerFactory.getLogger(JsonTokenizer.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final String source;
  private final byte[] json;
  private final Map<String, Integer> tokenIds;
  private final OptionalInt pad;
  private final int modelMaxLength;
  private final HuggingFaceTokenizer untruncated;
  private final int specialTokens;
  private final String endOfWordSuffix;
  private final Map<Integer, HuggingFaceTokenizer> truncating = new HashMap<>();
  private volatile Logger log = LOG;

  private JsonTokenizer(String source, ObjectNode root, String padToken, int modelMaxLength) {
    this.source = source;
    this.json = root.toString().getBytes(StandardCharsets.UTF_8);
    this.tokenIds = tokenIds(root);
    this.modelMaxLength = modelMaxLength;
    String suffix = root.path("model").path("end_of_word_suffix").asText("");
    this.endOfWordSuffix = suffix;
    if (padToken != null) {
      Integer id = tokenIds.get(padToken);
      if (id == null) {
        throw new TokenizerException(source + ": pad token '" + padToken + "' is not in the vocabulary");
      }
      pad = OptionalInt.of(id);
    } else {
      JsonNode padding = root.get("padding");
      pad = padding != null && padding.hasNonNull("pad_id") ? OptionalInt.of(padding.get("pad_id").asInt())
          : OptionalInt.empty();
    }
    this.untruncated = newNative(0);
    this.specialTokens = untruncated.encode("").getIds().length;
  }

  /**
   * Loads the tokenizer of a model folder: {@code tokenizer.json}, or {@code vocab.json} + {@code merges.txt} with
   * CLIP's byte-level BPE pipeline (as transformers builds {@code CLIPTokenizer} from them), plus the optional
   * {@code tokenizer_config.json} and {@code special_tokens_map.json}.
   *
   * @param folder the tokenizer folder, e.g. {@code FLUX.1-Kontext-dev/tokenizer_2}
   * @return the tokenizer; close it
   * @throws TokenizerException if the folder holds no supported tokenizer or a file is malformed
   */
  public static JsonTokenizer fromFolder(Path folder) {
    requireNonNull(folder, "folder");
    if (!Files.isDirectory(folder)) {
      throw new TokenizerException(folder + ": not a tokenizer folder");
    }
    ObjectNode config = readObjectIfPresent(folder.resolve("tokenizer_config.json"));
    ObjectNode specialMap = readObjectIfPresent(folder.resolve("special_tokens_map.json"));
    Path tokenizerJson = folder.resolve("tokenizer.json");
    ObjectNode root;
    String source;
    if (Files.isRegularFile(tokenizerJson)) {
      root = readObject(tokenizerJson);
      source = tokenizerJson.toString();
    } else if (Files.isRegularFile(folder.resolve("vocab.json")) && Files.isRegularFile(folder.resolve("merges.txt"))) {
      String cls = text(config, "tokenizer_class");
      if (cls != null && !cls.startsWith("CLIPTokenizer")) {
        throw new TokenizerException(
            folder + ": vocab.json + merges.txt without tokenizer.json is supported for CLIPTokenizer only, the"
                + " config names " + cls);
      }
      root = clipBpe(folder, config, specialMap);
      source = folder.resolve("vocab.json") + " + merges.txt";
      // CLIP's start and end tokens are special even when no config file says so.
      ObjectNode defaults = JsonNodeFactory.instance.objectNode();
      defaults.putArray("additional_special_tokens").add(clipBos(config, specialMap)).add(clipEos(config, specialMap));
      specialMap = merged(specialMap, defaults);
    } else {
      throw new TokenizerException(folder + ": found neither tokenizer.json nor vocab.json + merges.txt");
    }
    addConfiguredTokens(root, config, specialMap, source);
    String padToken = special(config, specialMap, "pad_token");
    int maxLength = 0;
    if (config != null && config.has("model_max_length") && config.get("model_max_length").isNumber()) {
      double v = config.get("model_max_length").asDouble();
      maxLength = v > 0 && v < NO_LIMIT ? (int) v : 0;
    }
    return new JsonTokenizer(source, root, padToken, maxLength);
  }

  /**
   * Loads a bare {@code tokenizer.json}; its own {@code padding} section, if any, gives the pad id.
   *
   * @param tokenizerJson the file
   * @return the tokenizer; close it
   * @throws TokenizerException if the file is missing or malformed
   */
  public static JsonTokenizer fromFile(Path tokenizerJson) {
    requireNonNull(tokenizerJson, "tokenizerJson");
    return new JsonTokenizer(tokenizerJson.toString(), readObject(tokenizerJson), null, 0);
  }

  /**
   * Loads a {@code tokenizer.json} given as text (tokenizers built in code, such as tiny models' byte-level BPEs);
   * its own {@code padding} section, if any, gives the pad id.
   *
   * @param tokenizerJson the file's content
   * @param source a name for messages
   * @return the tokenizer; close it
   * @throws TokenizerException if the text is not a JSON object or the tokenizers library rejects it
   */
  public static JsonTokenizer fromJson(String tokenizerJson, String source) {
    requireNonNull(tokenizerJson, "tokenizerJson");
    requireNonNull(source, "source");
    if (tokenizerJson.length() > MAX_FILE_BYTES) {
      throw new TokenizerException(source + ": longer than " + MAX_FILE_BYTES + " characters");
    }
    try {
      JsonNode n = JSON.readTree(tokenizerJson);
      if (n == null || !n.isObject()) {
        throw new TokenizerException(source + ": not a JSON object");
      }
      return new JsonTokenizer(source, (ObjectNode) n, null, 0);
    } catch (IOException e) {
      throw new TokenizerException(source + ": cannot parse: " + e.getMessage(), e);
    }
  }

  /**
   * Returns the id of a token (an added or special token, or a vocabulary entry).
   *
   * @param token the token's text as the vocabulary stores it
   * @return its id, or empty if unknown
   */
  public OptionalInt tokenId(String token) {
    Integer id = tokenIds.get(token);
    return id == null ? OptionalInt.empty() : OptionalInt.of(id);
  }

  /**
   * Returns {@code model_max_length} from {@code tokenizer_config.json}.
   *
   * @return the model's maximum length, or 0 when the files give none
   */
  public int modelMaxLength() {
    return modelMaxLength;
  }

  /**
   * Returns how many special tokens the tokenizer adds to one text (2 for CLIP, 1 for T5).
   *
   * @return the count
   */
  public int specialTokenCount() {
    return specialTokens;
  }

  /**
   * Returns the pad id.
   *
   * @return the pad token's id
   * @throws TokenizerException if the files define no pad token
   */
  @Override
  public int padId() {
    if (pad.isEmpty()) {
      throw new TokenizerException(source + ": no pad token is defined (tokenizer_config.json pad_token)");
    }
    return pad.getAsInt();
  }

  @Override
  public int[] encode(String text, int maxTokens) {
    Encoding e = encodeTruncated(checkText(text), maxTokens);
    return toInts(e.getIds());
  }

  /**
   * Tokenizes to exactly {@code length} ids, padded and masked like transformers; logs a warning naming the
   * dropped text when the prompt is truncated.
   *
   * @param text the text
   * @param length the padded length
   * @return the ids, mask and truncation flag
   * @throws IllegalArgumentException if {@code length} cannot hold the special tokens and one more
   * @throws TokenizerException if the text is longer than {@link #MAX_TEXT_CHARS} or no pad token is defined
   */
  @Override
  public TokenizedText tokenize(String text, int length) {
    Encoding e = encodeTruncated(checkText(text), length);
    int[] ids = toInts(e.getIds());
    boolean truncated = e.exceedMaxLength();
    if (truncated) {
      warnTruncated(text, length);
    }
    int[] padded = new int[length];
    int[] mask = new int[length];
    System.arraycopy(ids, 0, padded, 0, ids.length);
    if (ids.length < length) {
      Arrays.fill(padded, ids.length, length, padId());
    }
    long[] m = e.getAttentionMask();
    for (int i = 0; i < ids.length; i++) {
      mask[i] = (int) m[i];
    }
    return new TokenizedText(padded, mask, truncated);
  }

  /**
   * Decodes ids back to text, skipping special tokens (an end-of-word suffix such as CLIP's {@code </w>} becomes a
   * space, as transformers' CLIP tokenizer decodes).
   *
   * @param ids the ids
   * @return the text
   */
  public String decode(int[] ids) {
    String text = untruncated.decode(Arrays.stream(ids).asLongStream().toArray(), true);
    return endOfWordSuffix.isEmpty() ? text : text.replace(endOfWordSuffix, " ").strip();
  }

  /** Redirects truncation warnings (tests). */
  JsonTokenizer withLogger(Logger logger) {
    this.log = requireNonNull(logger, "logger");
    return this;
  }

  private void warnTruncated(String text, int length) {
    if (!log.isWarnEnabled()) {
      return;
    }
    int[] full = toInts(untruncated.encode(text).getIds());
    // As diffusers: the removed part is what lies between the kept tokens and the final special token.
    int end = Math.max(length - 1, full.length - 1);
    String removed = decode(Arrays.copyOfRange(full, Math.min(length - 1, end), end));
    if (removed.length() > WARNING_EXCERPT) {
      removed = removed.substring(0, WARNING_EXCERPT) + "...";
    }
    log.warn(
        "Prompt truncated to {} tokens by {}: {} tokens dropped: \"{}\"", length, source, full.length - length,
        removed);
  }

  private String checkText(String text) {
    requireNonNull(text, "text");
    if (text.length() > MAX_TEXT_CHARS) {
      throw new TokenizerException(
          "text of " + text.length() + " characters exceeds the limit of " + MAX_TEXT_CHARS + " (" + source + ")");
    }
    return text;
  }

  /**
   * Encodes with a native tokenizer that truncates to {@code length}: one is kept per length (up to
   * {@link #MAX_LENGTHS}); beyond that a temporary one serves the call, so no tokenizer in use is ever closed.
   */
  private Encoding encodeTruncated(String text, int length) {
    if (length <= specialTokens) {
      throw new IllegalArgumentException(
          "length " + length + " cannot hold the " + specialTokens + " special tokens and any text (" + source + ")");
    }
    HuggingFaceTokenizer t;
    synchronized (truncating) {
      t = truncating.get(length);
      if (t == null && truncating.size() < MAX_LENGTHS) {
        t = newNative(length);
        truncating.put(length, t);
      }
    }
    if (t != null) {
      return t.encode(text);
    }
    try (HuggingFaceTokenizer temporary = newNative(length)) {
      return temporary.encode(text);
    }
  }

  /** A native tokenizer that truncates to {@code length} (0: never) and never pads (padding is done here). */
  private HuggingFaceTokenizer newNative(int length) {
    Map<String, String> options = new HashMap<>();
    options.put("addSpecialTokens", "true");
    options.put("padding", "false");
    options.put("truncation", length > 0 ? "true" : "false");
    if (length > 0) {
      options.put("maxLength", Integer.toString(length));
      options.put("modelMaxLength", Integer.toString(length));
    }
    try {
      return HuggingFaceTokenizer.newInstance(new ByteArrayInputStream(json), options);
    } catch (IOException | RuntimeException e) {
      throw new TokenizerException(source + ": the tokenizers library cannot load it: " + e.getMessage(), e);
    }
  }

  private static int[] toInts(long[] ids) {
    int[] out = new int[ids.length];
    for (int i = 0; i < ids.length; i++) {
      out[i] = Math.toIntExact(ids[i]);
    }
    return out;
  }

  // ---- files ----

  private static ObjectNode readObjectIfPresent(Path file) {
    return Files.isRegularFile(file) ? readObject(file) : null;
  }

  private static ObjectNode readObject(Path file) {
    try {
      long size = Files.size(file);
      if (size > MAX_FILE_BYTES) {
        throw new TokenizerException(file + ": " + size + " bytes exceeds the limit of " + MAX_FILE_BYTES);
      }
      JsonNode n = JSON.readTree(Files.readAllBytes(file));
      if (n == null || !n.isObject()) {
        throw new TokenizerException(file + ": not a JSON object");
      }
      return (ObjectNode) n;
    } catch (IOException e) {
      throw new TokenizerException(file + ": cannot read: " + e.getMessage(), e);
    }
  }

  private static String text(ObjectNode node, String field) {
    if (node == null || !node.has(field) || node.get(field).isNull()) {
      return null;
    }
    JsonNode v = node.get(field);
    if (v.isTextual()) {
      return v.textValue();
    }
    if (v.isObject() && v.has("content") && v.get("content").isTextual()) {
      return v.get("content").textValue(); // a serialised AddedToken
    }
    throw new TokenizerException("field '" + field + "' must be a token string, got " + v);
  }

  /** A named special token: tokenizer_config.json wins over special_tokens_map.json, as in transformers. */
  private static String special(ObjectNode config, ObjectNode specialMap, String field) {
    String v = text(config, field);
    return v != null ? v : text(specialMap, field);
  }

  /** Every token's id: the model vocabulary, then the added tokens (which win). */
  private static Map<String, Integer> tokenIds(ObjectNode root) {
    Map<String, Integer> ids = new HashMap<>();
    JsonNode vocab = root.path("model").path("vocab");
    if (vocab.isObject()) {
      vocab.properties().forEach(e -> ids.put(e.getKey(), e.getValue().asInt()));
    } else if (vocab.isArray()) {
      for (int i = 0; i < vocab.size(); i++) {
        JsonNode piece = vocab.get(i);
        ids.put(piece.isArray() ? piece.get(0).asText() : piece.asText(), i);
      }
    }
    for (JsonNode t : root.path("added_tokens")) {
      ids.put(t.path("content").asText(), t.path("id").asInt());
    }
    return ids;
  }

  /**
   * Adds the tokens the config files declare and the tokenizer lacks, as transformers' tokenizers backend does on
   * load: first {@code added_tokens_decoder} with its flags, then the named special tokens and
   * {@code additional_special_tokens} (special, not normalised).
   */
  private static void addConfiguredTokens(ObjectNode root, ObjectNode config, ObjectNode specialMap, String source) {
    ArrayNode added = root.has("added_tokens") && root.get("added_tokens").isArray()
        ? (ArrayNode) root.get("added_tokens") : root.putArray("added_tokens");
    Map<String, Integer> ids = tokenIds(root);
    Set<String> present = new HashSet<>();
    added.forEach(t -> present.add(t.path("content").asText()));
    JsonNode decoder = config == null ? null : config.get("added_tokens_decoder");
    if (decoder != null && decoder.isObject()) {
      List<Map.Entry<Integer, JsonNode>> entries = new ArrayList<>();
      decoder.properties().forEach(e -> {
        try {
          entries.add(Map.entry(Integer.parseInt(e.getKey()), e.getValue()));
        } catch (NumberFormatException ex) {
          throw new TokenizerException(source + ": added_tokens_decoder key '" + e.getKey() + "' is not an id");
        }
      });
      entries.sort(Map.Entry.comparingByKey());
      for (Map.Entry<Integer, JsonNode> e : entries) {
        JsonNode t = e.getValue();
        String content = t.path("content").asText(null);
        if (content == null) {
          throw new TokenizerException(source + ": added_tokens_decoder entry " + e.getKey() + " has no content");
        }
        if (present.add(content)) {
          added.add(addedToken(e.getKey(), content, t.path("special").asBoolean(false),
              t.path("normalized").asBoolean(!t.path("special").asBoolean(false)), t.path("lstrip").asBoolean(false),
              t.path("rstrip").asBoolean(false), t.path("single_word").asBoolean(false)));
        }
      }
    }
    List<String> specials = new ArrayList<>();
    for (String field : NAMED_SPECIALS) {
      String v = special(config, specialMap, field);
      if (v != null) {
        specials.add(v);
      }
    }
    for (ObjectNode file : new ObjectNode[] {config, specialMap}) {
      JsonNode extra = file == null ? null : file.get("additional_special_tokens");
      if (extra != null && extra.isArray()) {
        for (JsonNode t : extra) {
          specials.add(t.isObject() ? t.path("content").asText() : t.asText());
        }
      }
    }
    int next = ids.values().stream().mapToInt(Integer::intValue).max().orElse(-1) + 1;
    for (String content : specials) {
      if (present.add(content)) {
        Integer id = ids.get(content);
        added.add(addedToken(id != null ? id : next++, content, true, false, false, false, false));
      }
    }
  }

  private static ObjectNode addedToken(
      int id, String content, boolean special, boolean normalized, boolean lstrip, boolean rstrip, boolean single) {
    ObjectNode t = JsonNodeFactory.instance.objectNode();
    t.put("id", id);
    t.put("content", content);
    t.put("single_word", single);
    t.put("lstrip", lstrip);
    t.put("rstrip", rstrip);
    t.put("normalized", normalized);
    t.put("special", special);
    return t;
  }

  /**
   * The tokenizer.json that transformers' {@code CLIPTokenizer} builds from {@code vocab.json} and
   * {@code merges.txt}: NFC, whitespace runs to one space, lower case; CLIP's split pattern then byte-level; BPE
   * with the {@code </w>} end-of-word suffix; {@code <|startoftext|> $A <|endoftext|>}.
   */
  private static ObjectNode clipBpe(Path folder, ObjectNode config, ObjectNode specialMap) {
    ObjectNode vocab = readObject(folder.resolve("vocab.json"));
    List<String> merges = new ArrayList<>();
    try {
      Path file = folder.resolve("merges.txt");
      if (Files.size(file) > MAX_FILE_BYTES) {
        throw new TokenizerException(file + ": larger than " + MAX_FILE_BYTES + " bytes");
      }
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        if (line.startsWith("#version") || line.isBlank()) {
          continue;
        }
        String[] parts = line.trim().split(" ");
        if (parts.length != 2) {
          throw new TokenizerException(file + ": merge line '" + line + "' is not two tokens");
        }
        merges.add(parts[0] + " " + parts[1]);
      }
    } catch (IOException e) {
      throw new TokenizerException(folder.resolve("merges.txt") + ": cannot read: " + e.getMessage(), e);
    }
    String bos = clipBos(config, specialMap);
    String eos = clipEos(config, specialMap);
    String unk = orDefault(special(config, specialMap, "unk_token"), "<|endoftext|>");
    for (String t : new String[] {bos, eos}) {
      if (!vocab.has(t)) {
        throw new TokenizerException(folder.resolve("vocab.json") + ": special token '" + t + "' is not in it");
      }
    }
    JsonNodeFactory f = JsonNodeFactory.instance;
    ObjectNode root = f.objectNode();
    root.put("version", "1.0");
    root.putNull("truncation");
    root.putNull("padding");
    root.putArray("added_tokens");
    ObjectNode normalizer = root.putObject("normalizer");
    normalizer.put("type", "Sequence");
    ArrayNode norms = normalizer.putArray("normalizers");
    norms.addObject().put("type", "NFC");
    ObjectNode replace = norms.addObject();
    replace.put("type", "Replace");
    replace.putObject("pattern").put("Regex", "\\s+");
    replace.put("content", " ");
    norms.addObject().put("type", "Lowercase");
    ObjectNode pre = root.putObject("pre_tokenizer");
    pre.put("type", "Sequence");
    ArrayNode pres = pre.putArray("pretokenizers");
    ObjectNode split = pres.addObject();
    split.put("type", "Split");
    split.putObject("pattern").put("Regex", CLIP_SPLIT);
    split.put("behavior", "Removed");
    split.put("invert", true);
    ObjectNode byteLevel = pres.addObject();
    byteLevel.put("type", "ByteLevel");
    byteLevel.put("add_prefix_space", false);
    byteLevel.put("trim_offsets", true);
    byteLevel.put("use_regex", true);
    ObjectNode post = root.putObject("post_processor");
    post.put("type", "RobertaProcessing");
    post.putArray("sep").add(eos).add(vocab.get(eos).asInt());
    post.putArray("cls").add(bos).add(vocab.get(bos).asInt());
    post.put("trim_offsets", false);
    post.put("add_prefix_space", false);
    ObjectNode decoder = root.putObject("decoder");
    decoder.put("type", "ByteLevel");
    decoder.put("add_prefix_space", true);
    decoder.put("trim_offsets", true);
    decoder.put("use_regex", true);
    ObjectNode model = root.putObject("model");
    model.put("type", "BPE");
    model.putNull("dropout");
    model.put("unk_token", unk);
    model.put("continuing_subword_prefix", "");
    model.put("end_of_word_suffix", "</w>");
    model.put("fuse_unk", false);
    model.put("byte_fallback", false);
    model.put("ignore_merges", false);
    model.set("vocab", vocab);
    ArrayNode m = model.putArray("merges");
    merges.forEach(m::add);
    return root;
  }

  private static String clipBos(ObjectNode config, ObjectNode specialMap) {
    return orDefault(special(config, specialMap, "bos_token"), "<|startoftext|>");
  }

  private static String clipEos(ObjectNode config, ObjectNode specialMap) {
    return orDefault(special(config, specialMap, "eos_token"), "<|endoftext|>");
  }

  /** A special-tokens map with extra additional special tokens appended. */
  private static ObjectNode merged(ObjectNode specialMap, ObjectNode extra) {
    ObjectNode out = specialMap == null ? JsonNodeFactory.instance.objectNode() : specialMap.deepCopy();
    ArrayNode list = out.has("additional_special_tokens") && out.get("additional_special_tokens").isArray()
        ? (ArrayNode) out.get("additional_special_tokens") : out.putArray("additional_special_tokens");
    extra.get("additional_special_tokens").forEach(list::add);
    return out;
  }

  private static String orDefault(String v, String fallback) {
    return v != null ? v : fallback;
  }

  @Override
  public String toString() {
    return "JsonTokenizer[" + source + "]";
  }

  @Override
  public void close() {
    synchronized (truncating) {
      truncating.values().forEach(HuggingFaceTokenizer::close);
      truncating.clear();
    }
    untruncated.close();
  }
}
