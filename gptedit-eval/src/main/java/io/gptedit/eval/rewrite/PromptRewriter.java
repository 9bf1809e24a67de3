package io.gptedit.eval.rewrite;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.common.hash.Hashing;
import io.gptedit.core.image.RgbImage;
import io.gptedit.core.remote.ChatMessage;
import io.gptedit.core.remote.ChatRequest;
import io.gptedit.core.remote.ChatResponse;
import io.gptedit.core.remote.ChatService;
import io.gptedit.core.remote.RemoteException;
import io.gptedit.eval.EvalException;
import io.gptedit.eval.bench.BenchSample;
import io.gptedit.eval.judge.PromptTemplate;
import io.gptedit.eval.run.InstructionSource;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.UUID;

/**
 * Rewrites instructions with a chat model ("thinking rewrite"): one call with [text, input image] that returns
 * {@code {"input": ..., "edit": ..., "output": ...}}; only {@code edit} is given to the editor.
 *
 * <p>Rewrites are cached on disk by model, template hash, instruction and input-image hash. A reply that does not
 * parse is retried up to the attempt limit; after that the rewrite throws and the runner records the sample as
 * failed rather than silently falling back to the original instruction.
 *
 * @since 0.1
 */
public final class PromptRewriter implements InstructionSource {
  /** This project's rewrite prompt. */
  public static final PromptTemplate DEFAULT_TEMPLATE =
      PromptTemplate.of(
          "rewrite",
          """
          You help an image-editing model by making a short edit request explicit. Look at the image and the
          request: {{instruction}}

          Think about what is in the image that the request concerns, exactly what must change and what must stay,
          and what the finished image should look like. Then answer with JSON only:
          {"input": "<the relevant content of the current image>",
           "edit": "<one explicit, self-contained edit instruction: what to change, where, how it should look,
                    and what to keep unchanged>",
           "output": "<a description of the edited image>"}
          """);

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final ChatService chat;
  private final String model;
  private final PromptTemplate template;
  private final int maxAttempts;
  private final Optional<Path> cacheDir;

  /**
   * Creates a rewriter.
   *
   * @param chat the chat service
   * @param model the rewriting model, such as {@code gpt-4.1}
   * @param template the prompt, with an {@code instruction} placeholder
   * @param maxAttempts attempts before a rewrite fails, at least 1
   * @param cacheDir where rewrites are cached, or empty
   */
  public PromptRewriter(
      ChatService chat, String model, PromptTemplate template, int maxAttempts, Optional<Path> cacheDir) {
    this.chat = requireNonNull(chat, "chat");
    this.model = requireNonNull(model, "model");
    this.template = requireNonNull(template, "template").requires("instruction");
    checkArgument(maxAttempts >= 1, "maxAttempts must be >= 1, got %s", maxAttempts);
    this.maxAttempts = maxAttempts;
    this.cacheDir = requireNonNull(cacheDir, "cacheDir");
  }

  /**
   * Rewrites one instruction.
   *
   * @param instruction the original instruction
   * @param input the input image
   * @return the structured rewrite
   * @throws EvalException if no usable rewrite came back within the attempt limit, or the call was refused
   */
  public RewrittenInstruction rewrite(String instruction, RgbImage input) {
    String prompt = template.render(Map.of("instruction", instruction));
    String key =
        Hashing.sha256()
            .newHasher()
            .putString(model, StandardCharsets.UTF_8)
            .putByte((byte) 0)
            .putString(template.hash(), StandardCharsets.UTF_8)
            .putByte((byte) 0)
            .putString(instruction, StandardCharsets.UTF_8)
            .putInt(input.width())
            .putInt(input.height())
            .putBytes(input.buffer())
            .hash()
            .toString();
    Optional<Path> file = cacheDir.map(d -> d.resolve("rewrite").resolve(key.substring(0, 2)).resolve(key + ".json"));
    if (file.isPresent() && Files.isRegularFile(file.get())) {
      try {
        Optional<RewrittenInstruction> cached = parse(Files.readString(file.get(), StandardCharsets.UTF_8));
        if (cached.isPresent()) {
          return cached.get();
        }
      } catch (IOException e) {
        throw new EvalException("cannot read rewrite cache " + file.get() + ": " + e.getMessage(), e);
      }
    }
    ChatRequest request =
        new ChatRequest(
            model,
            List.of(new ChatMessage(ChatMessage.Role.USER, List.of(new ChatMessage.Text(prompt), new ChatMessage.Image(input, true)))),
            OptionalDouble.empty(),
            OptionalInt.empty(),
            1,
            Optional.empty());
    String last = "no reply";
    for (int attempt = 1; attempt <= maxAttempts; attempt++) {
      ChatResponse response;
      try {
        response = chat.complete(request);
      } catch (RemoteException e) {
        last = e.kind() + ": " + e.getMessage();
        if (!e.retryable()) {
          break;
        }
        continue;
      }
      Optional<RewrittenInstruction> parsed = parse(response.text());
      if (parsed.isPresent()) {
        file.ifPresent(f -> store(f, parsed.get()));
        return parsed.get();
      }
      last = "reply is not an {input, edit, output} object with a non-empty edit";
    }
    throw new EvalException("cannot rewrite instruction '" + instruction + "': " + last);
  }

  @Override
  public String instructionFor(BenchSample sample, RgbImage input) {
    return rewrite(sample.instruction(), input).edit();
  }

  @Override
  public boolean rewritten() {
    return true;
  }

  static Optional<RewrittenInstruction> parse(String reply) {
    int open = reply.indexOf('{');
    int close = reply.lastIndexOf('}');
    if (open < 0 || close <= open) {
      return Optional.empty();
    }
    try {
      JsonNode node = MAPPER.readTree(reply.substring(open, close + 1));
      JsonNode edit = node.get("edit");
      if (edit == null || !edit.isTextual() || edit.asText().isBlank()) {
        return Optional.empty();
      }
      return Optional.of(new RewrittenInstruction(node.path("input").asText(""), edit.asText().trim(), node.path("output").asText("")));
    } catch (JsonProcessingException e) {
      return Optional.empty();
    }
  }

  private static void store(Path file, RewrittenInstruction r) {
    ObjectNode node = MAPPER.createObjectNode();
    node.put("input", r.input());
    node.put("edit", r.edit());
    node.put("output", r.output());
    Path tmp = file.resolveSibling(file.getFileName() + "." + UUID.randomUUID() + ".tmp");
    try {
      Files.createDirectories(file.getParent());
      Files.writeString(tmp, node.toString(), StandardCharsets.UTF_8);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new EvalException("cannot write rewrite cache " + file + ": " + e.getMessage(), e);
    }
  }
}
