package io.gptedit.models.text;

import static java.util.Objects.requireNonNull;

import ai.djl.ndarray.NDArray;

/**
 * What a CLIP text tower returns, in transformers' terms.
 *
 * @param lastHiddenState {@code last_hidden_state} (B, L, hidden), after the final LayerNorm
 * @param hiddenState {@code hidden_states[-(clipSkip + 2)]} (B, L, hidden), without the final LayerNorm: the
 *     penultimate layer's output by default (what SD3 reads)
 * @param pooled {@code pooler_output} (B, hidden): the last hidden state at the end-of-text token (Flux's input)
 * @param textEmbeds {@code text_embeds} (B, projection) of a model with a projection (SD3's pooled input), else null
 *
 * @since 0.1
 */
public record ClipTextOutput(NDArray lastHiddenState, NDArray hiddenState, NDArray pooled, NDArray textEmbeds) {
  /** Checks the required arrays are present. */
  public ClipTextOutput {
    requireNonNull(lastHiddenState, "lastHiddenState");
    requireNonNull(hiddenState, "hiddenState");
    requireNonNull(pooled, "pooled");
  }
}
