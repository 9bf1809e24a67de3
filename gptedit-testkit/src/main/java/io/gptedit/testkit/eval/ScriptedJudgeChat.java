package io.gptedit.testkit.eval;

import com.google.common.hash.HashCode;
import com.google.common.hash.Hasher;
import com.google.common.hash.Hashing;
import io.gptedit.core.remote.ChatMessage;
import io.gptedit.core.remote.ChatRequest;
import io.gptedit.core.remote.ChatResponse;
import io.gptedit.core.remote.ChatService;
import io.gptedit.core.remote.Usage;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An offline stand-in for a judge model: it answers each benchmark's judge prompts in the reply format the real
 * judge uses, with scores drawn deterministically from a hash of the prompt text and the images' pixels. It is a
 * script, not a judge: it exists so the whole pipeline (HTTP, parsing, retries, failures, aggregation, reports)
 * runs without a key.
 *
 * <p>Faults are part of the script: for a prompt whose hash is divisible by {@value #ALWAYS_GARBAGE_EVERY} every
 * reply is prose without scores (the sample ends as a counted failure); for one divisible by
 * {@value #FIRST_GARBAGE_EVERY} the first reply is malformed JSON and the retry succeeds.
 *
 * @since 0.1
 */
public final class ScriptedJudgeChat implements ChatService {
  /** A prompt whose hash is divisible by this gets only replies without scores. */
  public static final int ALWAYS_GARBAGE_EVERY = 9;

  /** A prompt whose hash is divisible by this (and not by {@link #ALWAYS_GARBAGE_EVERY}) gets a malformed first reply. */
  public static final int FIRST_GARBAGE_EVERY = 4;

  private final Map<String, AtomicInteger> seen = new ConcurrentHashMap<>();

  /** Creates a judge script with no history: every prompt's first reply is its first. */
  public ScriptedJudgeChat() {}

  /**
   * Answers with scripted judge replies, one per requested completion.
   *
   * @param request the judge prompt (text and images)
   * @return the replies; usage is zero
   */

  @Override
  public ChatResponse complete(ChatRequest request) {
    StringBuilder text = new StringBuilder();
    Hasher hasher = Hashing.murmur3_128().newHasher();
    for (ChatMessage m : request.messages()) {
      for (ChatMessage.Part p : m.parts()) {
        if (p instanceof ChatMessage.Text t) {
          text.append(t.text());
          hasher.putString(t.text(), StandardCharsets.UTF_8);
        } else if (p instanceof ChatMessage.Image i) {
          hasher.putInt(i.image().width()).putInt(i.image().height()).putBytes(i.image().buffer());
        }
      }
    }
    String prompt = text.toString();
    HashCode digest = hasher.hash();
    int h = digest.asInt() & 0x7fffffff;
    int call = seen.computeIfAbsent(digest.toString(), k -> new AtomicInteger()).getAndIncrement();
    List<String> choices = new ArrayList<>();
    for (int c = 0; c < request.n(); c++) {
      if (h % ALWAYS_GARBAGE_EVERY == 0) {
        choices.add("I am not able to assess these images.");
      } else if (h % FIRST_GARBAGE_EVERY == 0 && call == 0) {
        choices.add("{\"reasoning\": \"looks fine\", \"score\": [");
      } else {
        choices.add(reply(prompt, request, h + 31 * c));
      }
    }
    return new ChatResponse(choices, Usage.NONE, request.model());
  }

  private static String reply(String prompt, ChatRequest request, int h) {
    int a = 5 + h % 6;
    int b = 4 + (h / 7) % 7;
    int c = 3 + (h / 49) % 8;
    String lower = prompt.toLowerCase(Locale.ROOT);
    if (request.jsonSchema().isPresent() && request.jsonSchema().get().contains("instruction_following")) {
      return "{\"reasoning\": \"scripted\", \"instruction_following\": " + a + ", \"identity_preservation\": " + b + "}";
    }
    if (request.jsonSchema().isPresent()) {
      return "{\"reasoning\": \"scripted\", \"perceptual_quality\": " + c + "}";
    }
    if (lower.contains("instruction match:")) {
      return "Scripted assessment.\n**Instruction Match:** " + (1 + h % 5) + "\nVisual Quality: " + (1 + (h / 5) % 5)
          + "/5\nPreservation: " + (1 + (h / 25) % 5);
    }
    if (lower.contains("\"score\": <0-10>")) {
      return "{\"reasoning\": \"scripted\", \"score\": " + a + "}";
    }
    return "```json\n{\"reasoning\": \"scripted\", \"score\": [" + a + ", " + b + "]}\n```";
  }
}
