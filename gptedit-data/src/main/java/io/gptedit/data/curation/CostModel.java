package io.gptedit.data.curation;

import io.gptedit.core.remote.Usage;

/**
 * Prices per million tokens, to turn reported usage into spend.
 *
 * @param imageInputPerMillion USD per million input tokens of an image call
 * @param imageOutputPerMillion USD per million output tokens of an image call
 * @param chatInputPerMillion USD per million input tokens of a chat call
 * @param chatOutputPerMillion USD per million output tokens of a chat call
 * @since 0.1
 */
public record CostModel(
    double imageInputPerMillion, double imageOutputPerMillion, double chatInputPerMillion, double chatOutputPerMillion) {

  /**
   * Validates the prices.
   *
   * @throws IllegalArgumentException if a price is negative
   */
  public CostModel {
    if (imageInputPerMillion < 0 || imageOutputPerMillion < 0 || chatInputPerMillion < 0 || chatOutputPerMillion < 0) {
      throw new IllegalArgumentException("prices must be >= 0");
    }
  }

  /**
   * Returns list prices of GPT-Image-1 (image input 10, image output 40 USD per million tokens) and GPT-4o
   * (2.50 in, 10 out) as published by OpenAI in 2025.
   *
   * @return the model
   */
  public static CostModel gptImage1() {
    return new CostModel(10.0, 40.0, 2.5, 10.0);
  }

  /**
   * Returns the cost of an image call.
   *
   * @param u the reported usage
   * @return USD
   */
  public double image(Usage u) {
    return (u.inputTokens() * imageInputPerMillion + u.outputTokens() * imageOutputPerMillion) / 1e6;
  }

  /**
   * Returns the cost of a chat call.
   *
   * @param u the reported usage
   * @return USD
   */
  public double chat(Usage u) {
    return (u.inputTokens() * chatInputPerMillion + u.outputTokens() * chatOutputPerMillion) / 1e6;
  }
}
