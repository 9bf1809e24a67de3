package io.gptedit.eval.judge;

import com.google.common.hash.Hasher;
import com.google.common.hash.Hashing;
import io.gptedit.core.image.RgbImage;
import io.gptedit.core.remote.ChatMessage;
import io.gptedit.core.remote.ChatRequest;
import io.gptedit.core.remote.ChatResponse;
import io.gptedit.core.remote.ChatService;
import io.gptedit.core.remote.RemoteException;
import io.gptedit.eval.Benchmark;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * One judge call with retries and caching: send the prompt, parse every choice, ask again for what is missing.
 *
 * <p>An attempt that yields no usable reply (a retryable remote error, or only unparsable choices) counts against
 * {@link JudgeConfig#maxAttempts()}; a non-retryable remote error (bad request, content policy, unauthorized) ends
 * the call at once. A call that ends short is a failure with the last reason: never a made-up score.
 */
final class JudgeCalls {
  private final ChatService chat;
  private final JudgeConfig config;
  private final Benchmark benchmark;
  private final Optional<JudgeCache> cache;

  JudgeCalls(ChatService chat, JudgeConfig config, Benchmark benchmark) {
    this.chat = chat;
    this.config = config;
    this.benchmark = benchmark;
    this.cache = config.cacheDir().map(JudgeCache::new);
  }

  /** The outcome of one call: {@code needed} parsed values, or a failure reason. */
  record Result<T>(List<T> values, String failure, int attempts) {
    boolean ok() {
      return failure == null;
    }
  }

  <T> Result<T> call(
      String sampleKey,
      String callName,
      PromptTemplate template,
      String prompt,
      List<RgbImage> images,
      boolean textFirst,
      Function<String, ReplyParse<T>> parser,
      int needed,
      Optional<String> jsonSchema) {
    List<ChatMessage.Part> parts = new ArrayList<>();
    if (textFirst) {
      parts.add(new ChatMessage.Text(prompt));
    }
    for (RgbImage image : images) {
      parts.add(new ChatMessage.Image(image, true));
    }
    if (!textFirst) {
      parts.add(new ChatMessage.Text(prompt));
    }
    JudgeCache.Key key =
        new JudgeCache.Key(
            benchmark.id(),
            sampleKey,
            callName,
            config.model(),
            template.hash(),
            imagesHash(images, prompt),
            "t=" + config.temperature() + ";max=" + config.maxTokens() + ";n=" + needed);
    if (cache.isPresent()) {
      Optional<List<String>> hit = cache.get().get(key);
      if (hit.isPresent()) {
        List<T> values = new ArrayList<>();
        for (String reply : hit.get()) {
          ReplyParse<T> p = parser.apply(reply);
          if (p.isParsed()) {
            values.add(p.value());
          }
        }
        if (values.size() == needed) {
          return new Result<>(values, null, 0);
        }
      }
    }
    List<T> values = new ArrayList<>();
    List<String> replies = new ArrayList<>();
    String lastFailure = "no reply";
    int unproductive = 0;
    int calls = 0;
    while (values.size() < needed && unproductive < config.maxAttempts() && calls < needed + config.maxAttempts()) {
      calls++;
      int want = needed - values.size();
      ChatRequest request =
          new ChatRequest(
              config.model(),
              List.of(new ChatMessage(ChatMessage.Role.USER, parts)),
              config.temperature(),
              config.maxTokens(),
              want,
              jsonSchema);
      ChatResponse response;
      try {
        response = chat.complete(request);
      } catch (RemoteException e) {
        lastFailure = "judge call failed (" + e.kind() + "): " + e.getMessage();
        if (!e.retryable()) {
          return new Result<>(List.of(), lastFailure, calls);
        }
        unproductive++;
        continue;
      }
      int before = values.size();
      for (String choice : response.choices()) {
        if (values.size() == needed) {
          break;
        }
        ReplyParse<T> p = parser.apply(choice);
        if (p instanceof ReplyParse.Parsed<T> ok) {
          values.add(ok.value());
          replies.add(choice);
        } else if (p instanceof ReplyParse.Unparsable<T> bad) {
          lastFailure = "unparsable reply: " + bad.reason();
        }
      }
      if (values.size() == before) {
        unproductive++;
      }
    }
    if (values.size() < needed) {
      return new Result<>(List.of(), lastFailure + " (after " + calls + " call(s))", calls);
    }
    cache.ifPresent(c -> c.put(key, replies));
    return new Result<>(values, null, calls);
  }

  private static String imagesHash(List<RgbImage> images, String prompt) {
    Hasher h = Hashing.sha256().newHasher();
    h.putString(prompt, java.nio.charset.StandardCharsets.UTF_8);
    for (RgbImage image : images) {
      h.putInt(image.width()).putInt(image.height()).putBytes(image.buffer());
    }
    return h.hash().toString().substring(0, 32);
  }
}
