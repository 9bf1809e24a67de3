package io.gptedit.core.remote;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import com.google.common.collect.ImmutableList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;

/**
 * A chat completion request.
 *
 * @param model the model name, such as {@code gpt-4.1}
 * @param messages the conversation
 * @param temperature the sampling temperature, if not the service default
 * @param maxTokens the completion token limit, if any
 * @param n how many completions to sample (Complex-Edit's judge samples several)
 * @param jsonSchema a JSON Schema the reply must follow (structured output), if any
 * @since 0.1
 */
public record ChatRequest(
    String model,
    List<ChatMessage> messages,
    OptionalDouble temperature,
    OptionalInt maxTokens,
    int n,
    Optional<String> jsonSchema) {
  /** Validates the request. */
  public ChatRequest {
    requireNonNull(model, "model");
    messages = ImmutableList.copyOf(requireNonNull(messages, "messages"));
    checkArgument(!messages.isEmpty(), "a chat request needs at least one message");
    requireNonNull(temperature, "temperature");
    requireNonNull(maxTokens, "maxTokens");
    checkArgument(n >= 1, "n must be >= 1, got %s", n);
    requireNonNull(jsonSchema, "jsonSchema");
  }

  /**
   * Returns a request for one completion with service defaults.
   *
   * @param model the model
   * @param messages the conversation
   * @return the request
   */
  public static ChatRequest of(String model, List<ChatMessage> messages) {
    return new ChatRequest(model, messages, OptionalDouble.empty(), OptionalInt.empty(), 1, Optional.empty());
  }
}
