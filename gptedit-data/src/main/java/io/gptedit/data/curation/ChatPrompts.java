package io.gptedit.data.curation;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import io.gptedit.core.image.RgbImage;
import io.gptedit.core.remote.ChatMessage;
import io.gptedit.core.remote.ChatRequest;
import io.gptedit.core.remote.ChatResponse;
import io.gptedit.core.remote.RemoteException;
import java.util.ArrayList;
import java.util.List;

/**
 * The chat prompts of the curation pipeline: instruction rewriting (the paper's rewrite of about 10 % of OmniEdit
 * to match the regenerated output) and the Complex-Edit recipe for C3 instructions (propose atomic edits for an
 * image, then fuse them into one instruction). Each prompt carries a fixed marker line, so replies and stand-in
 * services can rely on the structure.
 *
 * @since 0.1
 */
public final class ChatPrompts {
  /** Marks the instruction to rewrite: the rest of the line is the instruction. */
  public static final String INSTRUCTION_MARKER = "Instruction: ";

  /** Heads the numbered list of atomic edits to fuse. */
  public static final String STEPS_MARKER = "Atomic edits:";

  /** Starts the proposal request; followed by the number of edits. */
  public static final String PROPOSE_MARKER = "Propose exactly ";

  private static final String REWRITE_SYSTEM =
      "You improve instructions for an image-editing dataset. You see the input image, the edited image and the"
          + " original instruction. Write one instruction that describes exactly the change from the input to the"
          + " edited image, in different words. Reply with the instruction only.";

  private static final String PROPOSE_SYSTEM =
      "You design image edits. Each edit is one atomic change (add, remove, recolour, move, resize an object, or"
          + " change the background) that makes sense for the image and for the edits before it.";

  private static final String COMPOSE_SYSTEM =
      "You fuse several atomic image edits into one natural instruction that asks for all of them, in order,"
          + " without losing any detail. Reply with the instruction only.";

  private ChatPrompts() {}

  /**
   * Returns the rewrite request.
   *
   * @param model the chat model
   * @param instruction the original instruction
   * @param input the input image
   * @param edited the regenerated output
   * @return the request
   */
  public static ChatRequest rewrite(String model, String instruction, RgbImage input, RgbImage edited) {
    requireNonNull(instruction, "instruction");
    return ChatRequest.of(
        model,
        List.of(
            ChatMessage.text(ChatMessage.Role.SYSTEM, REWRITE_SYSTEM),
            new ChatMessage(
                ChatMessage.Role.USER,
                List.of(
                    new ChatMessage.Text(INSTRUCTION_MARKER + oneLine(instruction)),
                    new ChatMessage.Image(input, true),
                    new ChatMessage.Image(edited, true)))));
  }

  /**
   * Returns the request for {@code k} atomic edits of an image, one per line.
   *
   * @param model the chat model
   * @param input the image
   * @param k how many edits, 1 to 8
   * @return the request
   */
  public static ChatRequest propose(String model, RgbImage input, int k) {
    checkArgument(k >= 1 && k <= 8, "k must be 1..8, got %s", k);
    return ChatRequest.of(
        model,
        List.of(
            ChatMessage.text(ChatMessage.Role.SYSTEM, PROPOSE_SYSTEM),
            new ChatMessage(
                ChatMessage.Role.USER,
                List.of(
                    new ChatMessage.Text(
                        PROPOSE_MARKER + k + " atomic edits for this image, one per line, in the order to apply"
                            + " them. Reply with the edits only."),
                    // PNG, not JPEG: the proposal must describe exactly this image.
                    new ChatMessage.Image(input, false)))));
  }

  /**
   * Returns the request that fuses atomic edits into one instruction.
   *
   * @param model the chat model
   * @param steps the atomic edits, in order
   * @return the request
   */
  public static ChatRequest compose(String model, List<String> steps) {
    checkArgument(!steps.isEmpty(), "no steps to compose");
    StringBuilder sb = new StringBuilder(STEPS_MARKER);
    for (int i = 0; i < steps.size(); i++) {
      sb.append('\n').append(i + 1).append(". ").append(oneLine(steps.get(i)));
    }
    return ChatRequest.of(
        model,
        List.of(
            ChatMessage.text(ChatMessage.Role.SYSTEM, COMPOSE_SYSTEM),
            ChatMessage.text(ChatMessage.Role.USER, sb.toString())));
  }

  /**
   * Reads a one-instruction reply: the first non-blank line, without list markers or quotes.
   *
   * @param response the reply
   * @return the instruction
   * @throws RemoteException of kind {@code MALFORMED_RESPONSE} if the reply is blank
   */
  public static String instruction(ChatResponse response) {
    for (String line : response.text().split("\\R")) {
      String t = clean(line);
      if (!t.isEmpty()) {
        return t;
      }
    }
    throw new RemoteException(RemoteException.Kind.MALFORMED_RESPONSE, 0, "chat reply holds no instruction", null);
  }

  /**
   * Reads a list reply: non-blank lines without list markers.
   *
   * @param response the reply
   * @param k the number of lines expected
   * @return the lines
   * @throws RemoteException of kind {@code MALFORMED_RESPONSE} if the count differs
   */
  public static List<String> lines(ChatResponse response, int k) {
    List<String> out = new ArrayList<>();
    for (String line : response.text().split("\\R")) {
      String t = clean(line);
      if (!t.isEmpty()) {
        out.add(t);
      }
    }
    if (out.size() != k) {
      throw new RemoteException(
          RemoteException.Kind.MALFORMED_RESPONSE, 0, "expected " + k + " edits, the reply has " + out.size(), null);
    }
    return out;
  }

  /**
   * Returns the text parts of the last user message of a request, joined by newlines.
   *
   * @param request the request
   * @return the text
   */
  public static String userText(ChatRequest request) {
    List<ChatMessage> messages = request.messages();
    for (int i = messages.size() - 1; i >= 0; i--) {
      ChatMessage m = messages.get(i);
      if (m.role() == ChatMessage.Role.USER) {
        StringBuilder sb = new StringBuilder();
        for (ChatMessage.Part p : m.parts()) {
          if (p instanceof ChatMessage.Text t) {
            sb.append(sb.length() == 0 ? "" : "\n").append(t.text());
          }
        }
        return sb.toString();
      }
    }
    return "";
  }

  /**
   * Returns the images of the last user message of a request.
   *
   * @param request the request
   * @return the images, in order
   */
  public static List<RgbImage> userImages(ChatRequest request) {
    List<ChatMessage> messages = request.messages();
    for (int i = messages.size() - 1; i >= 0; i--) {
      ChatMessage m = messages.get(i);
      if (m.role() == ChatMessage.Role.USER) {
        List<RgbImage> out = new ArrayList<>();
        for (ChatMessage.Part p : m.parts()) {
          if (p instanceof ChatMessage.Image img) {
            out.add(img.image());
          }
        }
        return out;
      }
    }
    return List.of();
  }

  private static String oneLine(String s) {
    return s.replaceAll("\\s*\\R\\s*", " ").strip();
  }

  private static String clean(String line) {
    String t = line.strip().replaceFirst("^(\\d+[.)]|[-*])\\s*", "");
    if (t.length() >= 2 && t.startsWith("\"") && t.endsWith("\"")) {
      t = t.substring(1, t.length() - 1).strip();
    }
    return t;
  }
}
