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

  /** Where the dated price table lives on the class path. */
  public static final String PRICES_RESOURCE = "/io/gptedit/data/curation/prices.json";

  /** The most input tokens one image-edit call is priced at when reserving spend (prompt text and image tiles). */
  public static final long IMAGE_CALL_MAX_INPUT_TOKENS = 2_000;

  /** GPT-Image-1's output tokens per 1024 x 1024 pixels of output at high quality. */
  public static final long IMAGE_OUTPUT_TOKENS_PER_MEGAPIXEL = 4_160;

  /** The most input tokens one chat call (instruction rewrite or C3 step) is priced at (text and two images). */
  public static final long CHAT_CALL_MAX_INPUT_TOKENS = 4_000;

  /** The most output tokens one chat call is priced at. */
  public static final long CHAT_CALL_MAX_OUTPUT_TOKENS = 1_000;

  /**
   * Returns the published prices of an image model and a chat model from the dated price table
   * ({@value #PRICES_RESOURCE}; its {@code as_of} date is {@link #pricesAsOf()}). Image input is priced at the image
   * rate (the higher of text and image input).
   *
   * @param imageModel such as {@code gpt-image-1}
   * @param chatModel such as {@code gpt-4o}
   * @return the prices
   * @throws IllegalArgumentException if the table does not list a model (the message lists those it does)
   */
  public static CostModel published(String imageModel, String chatModel) {
    com.fasterxml.jackson.databind.JsonNode t = table();
    com.fasterxml.jackson.databind.JsonNode image = t.path("image_models").get(imageModel);
    com.fasterxml.jackson.databind.JsonNode chat = t.path("chat_models").get(chatModel);
    if (image == null) {
      throw new IllegalArgumentException("no price for image model '" + imageModel + "' in " + PRICES_RESOURCE
          + " (as of " + pricesAsOf() + "); listed: " + names(t.path("image_models")));
    }
    if (chat == null) {
      throw new IllegalArgumentException("no price for chat model '" + chatModel + "' in " + PRICES_RESOURCE
          + " (as of " + pricesAsOf() + "); listed: " + names(t.path("chat_models")));
    }
    return new CostModel(Math.max(image.path("image_input").asDouble(), image.path("text_input").asDouble()),
        image.path("image_output").asDouble(), chat.path("input").asDouble(), chat.path("output").asDouble());
  }

  /**
   * Returns the date the price table was taken from the provider's price list.
   *
   * @return an ISO date such as {@code 2025-04-23}
   */
  public static String pricesAsOf() {
    return table().path("as_of").asText();
  }

  private static java.util.List<String> names(com.fasterxml.jackson.databind.JsonNode models) {
    java.util.List<String> out = new java.util.ArrayList<>();
    models.fieldNames().forEachRemaining(out::add);
    return out;
  }

  private static com.fasterxml.jackson.databind.JsonNode table() {
    try (java.io.InputStream in = CostModel.class.getResourceAsStream(PRICES_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("price table " + PRICES_RESOURCE + " is not on the class path");
      }
      return new com.fasterxml.jackson.databind.ObjectMapper().readTree(in);
    } catch (java.io.IOException e) {
      throw new IllegalStateException("cannot read price table " + PRICES_RESOURCE + ": " + e.getMessage(), e);
    }
  }

  /**
   * Returns the most one image call can cost when its output has {@code outputPixels} pixels (high quality).
   *
   * @param outputPixels the generated image's width x height
   * @return USD
   */
  public double imageCallCeiling(long outputPixels) {
    long out = (long) Math.ceil(IMAGE_OUTPUT_TOKENS_PER_MEGAPIXEL * outputPixels / (1024.0 * 1024.0));
    return image(new Usage(IMAGE_CALL_MAX_INPUT_TOKENS, out, 1));
  }

  /**
   * Returns the most one chat call is priced at.
   *
   * @return USD
   */
  public double chatCallCeiling() {
    return chat(new Usage(CHAT_CALL_MAX_INPUT_TOKENS, CHAT_CALL_MAX_OUTPUT_TOKENS, 0));
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
