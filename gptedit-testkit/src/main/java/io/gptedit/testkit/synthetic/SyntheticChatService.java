package io.gptedit.testkit.synthetic;

import io.gptedit.core.image.RgbImage;
import io.gptedit.core.remote.ChatRequest;
import io.gptedit.core.remote.ChatResponse;
import io.gptedit.core.remote.ChatService;
import io.gptedit.core.remote.RemoteException;
import io.gptedit.core.remote.Usage;
import io.gptedit.data.curation.ChatPrompts;
import io.gptedit.data.synthetic.EditOp;
import io.gptedit.data.synthetic.Fingerprint;
import io.gptedit.data.synthetic.Scene;
import io.gptedit.data.synthetic.SceneText;
import io.gptedit.data.synthetic.SyntheticWorld;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The chat stand-in: understands the three {@link ChatPrompts} requests. A rewrite parses the instruction and
 * writes the same edits with other templates; a proposal looks the image up and draws a valid random program
 * seeded by the image's fingerprint; a composition parses the steps and joins them into one instruction. Every
 * answer is a deterministic function of the request.
 */
final class SyntheticChatService implements ChatService {
  private static final Pattern STEP_LINE = Pattern.compile("^\\d+\\. (.*)$", Pattern.MULTILINE);
  private static final Pattern PROPOSE_COUNT = Pattern.compile(Pattern.quote(ChatPrompts.PROPOSE_MARKER) + "(\\d+)");

  private final SyntheticWorld world;
  private final StandInOptions options;

  SyntheticChatService(SyntheticWorld world, StandInOptions options) {
    this.world = world;
    this.options = options;
  }

  @Override
  public ChatResponse complete(ChatRequest request) {
    options.pause();
    String text = ChatPrompts.userText(request);
    String answer;
    try {
      if (text.startsWith(ChatPrompts.STEPS_MARKER)) {
        answer = compose(text);
      } else if (text.startsWith(ChatPrompts.PROPOSE_MARKER)) {
        answer = propose(text, ChatPrompts.userImages(request));
      } else if (text.startsWith(ChatPrompts.INSTRUCTION_MARKER)) {
        answer = rewrite(text.substring(ChatPrompts.INSTRUCTION_MARKER.length()).lines().findFirst().orElse(""));
      } else {
        throw new RemoteException(RemoteException.Kind.BAD_REQUEST, 400, "the stand-in chat does not understand this request", null);
      }
    } catch (IllegalArgumentException e) {
      throw new RemoteException(RemoteException.Kind.BAD_REQUEST, 400, "stand-in chat: " + e.getMessage(), e);
    }
    long in = text.split("\\s+").length;
    long out = answer.split("\\s+").length;
    return new ChatResponse(List.of(answer), new Usage(in, out, 0), options.model());
  }

  private static String rewrite(String instruction) {
    List<EditOp> ops = SceneText.parseInstruction(instruction);
    int base = instruction.hashCode();
    for (int v = 1; v < 64; v++) {
      String candidate = SceneText.instruction(ops, base + v);
      if (!candidate.equalsIgnoreCase(instruction.strip())) {
        return candidate;
      }
    }
    return SceneText.instruction(ops, base);
  }

  private static String compose(String text) {
    List<EditOp> ops = new ArrayList<>();
    Matcher m = STEP_LINE.matcher(text);
    while (m.find()) {
      ops.addAll(SceneText.parseInstruction(m.group(1)));
    }
    if (ops.isEmpty()) {
      throw new IllegalArgumentException("no numbered steps after '" + ChatPrompts.STEPS_MARKER + "'");
    }
    return SceneText.instruction(ops, text.hashCode());
  }

  private String propose(String text, List<RgbImage> images) {
    Matcher m = PROPOSE_COUNT.matcher(text);
    if (!m.find()) {
      throw new IllegalArgumentException("no edit count after '" + ChatPrompts.PROPOSE_MARKER + "'");
    }
    int k = Integer.parseInt(m.group(1));
    if (images.isEmpty()) {
      throw new IllegalArgumentException("a proposal needs the image");
    }
    RgbImage image = images.get(0);
    Scene scene = world.lookup(image).orElseThrow(
        () -> new IllegalArgumentException("the image is not a scene of this synthetic world"));
    Fingerprint f = Fingerprint.of(image);
    SplittableRandom r = new SplittableRandom(SyntheticServices.mix(f.high() ^ f.low() ^ k));
    List<EditOp> ops = world.randomProgram(scene, k, r);
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < ops.size(); i++) {
      sb.append(i == 0 ? "" : "\n").append(i + 1).append(". ")
          .append(SceneText.sentence(SceneText.step(ops.get(i), (int) f.low() + 3 * i)));
    }
    return sb.toString();
  }
}
