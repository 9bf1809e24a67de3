package io.gptedit.core.remote;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import com.google.common.collect.ImmutableList;
import java.util.List;

/**
 * A chat completion reply.
 *
 * @param choices the text of each completion, in order (one per requested {@code n})
 * @param usage tokens consumed
 * @param model the model that answered
 * @since 0.1
 */
public record ChatResponse(List<String> choices, Usage usage, String model) {
  /** Validates the reply. */
  public ChatResponse {
    choices = ImmutableList.copyOf(requireNonNull(choices, "choices"));
    checkArgument(!choices.isEmpty(), "a chat response has at least one choice");
    requireNonNull(usage, "usage");
    requireNonNull(model, "model");
  }

  /**
   * Returns the first completion's text.
   *
   * @return the text
   */
  public String text() {
    return choices.get(0);
  }
}
