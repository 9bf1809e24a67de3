package io.gptedit.eval.rewrite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gptedit.core.image.RgbImage;
import io.gptedit.core.remote.ChatMessage;
import io.gptedit.core.remote.ChatRequest;
import io.gptedit.core.remote.ChatResponse;
import io.gptedit.core.remote.ChatService;
import io.gptedit.core.remote.Usage;
import io.gptedit.eval.EvalException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The thinking rewrite: only {@code edit} replaces the instruction; rewrites are cached; bad replies fail. */
class PromptRewriterTest {
  @TempDir Path tmp;

  private static final RgbImage IMAGE = RgbImage.filled(4, 4, 0x336699);

  private static ChatService replying(List<ChatRequest> log, String reply) {
    return r -> {
      log.add(r);
      return new ChatResponse(List.of(reply), Usage.NONE, r.model());
    };
  }

  @Test
  void onlyTheEditFieldReplacesTheInstructionAndTheImageIsSent() {
    List<ChatRequest> log = new ArrayList<>();
    String reply =
        "Thinking...\n{\"input\": \"a blue square\", \"edit\": \"Recolour the square red; keep the background\","
            + " \"output\": \"a red square\"}";
    PromptRewriter rw = new PromptRewriter(replying(log, reply), "gpt-4.1", PromptRewriter.DEFAULT_TEMPLATE, 2, Optional.empty());
    RewrittenInstruction r = rw.rewrite("make it red", IMAGE);
    assertThat(r.edit()).isEqualTo("Recolour the square red; keep the background");
    assertThat(r.input()).isEqualTo("a blue square");
    assertThat(log.get(0).messages().get(0).parts()).hasSize(2);
    assertThat(((ChatMessage.Text) log.get(0).messages().get(0).parts().get(0)).text()).contains("make it red");
    assertThat(rw.rewritten()).isTrue();
  }

  @Test
  void cachedRewritesCostNoCalls() {
    List<ChatRequest> log = new ArrayList<>();
    String reply = "{\"input\": \"i\", \"edit\": \"e1\", \"output\": \"o\"}";
    new PromptRewriter(replying(log, reply), "gpt-4.1", PromptRewriter.DEFAULT_TEMPLATE, 2, Optional.of(tmp)).rewrite("x", IMAGE);
    List<ChatRequest> log2 = new ArrayList<>();
    PromptRewriter again =
        new PromptRewriter(replying(log2, "{\"edit\": \"e2\"}"), "gpt-4.1", PromptRewriter.DEFAULT_TEMPLATE, 2, Optional.of(tmp));
    assertThat(again.rewrite("x", IMAGE).edit()).isEqualTo("e1");
    assertThat(log2).isEmpty();
    assertThat(again.rewrite("y", IMAGE).edit()).isEqualTo("e2");
    assertThat(log2).hasSize(1);
  }

  @Test
  void aReplyWithoutAnEditIsRetriedThenFails() {
    List<ChatRequest> log = new ArrayList<>();
    PromptRewriter rw =
        new PromptRewriter(replying(log, "{\"input\": \"i\", \"output\": \"o\"}"), "m", PromptRewriter.DEFAULT_TEMPLATE, 3, Optional.empty());
    assertThatThrownBy(() -> rw.rewrite("make it red", IMAGE))
        .isInstanceOf(EvalException.class)
        .hasMessageContaining("make it red")
        .hasMessageContaining("non-empty edit");
    assertThat(log).hasSize(3);
  }
}
