package io.gptedit.core.remote;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

/**
 * Prices used to estimate spend from reported usage: one price for chat models and one for image models.
 *
 * <p>The defaults in {@link #ILLUSTRATIVE} are illustrative only; prices change, so set your own from your
 * provider's current price list.
 *
 * @param chat prices for {@link Endpoint#CHAT_COMPLETIONS}
 * @param images prices for {@link Endpoint#IMAGE_EDITS} and {@link Endpoint#IMAGE_GENERATIONS}
 * @since 0.1
 */
public record PriceTable(Price chat, Price images) {
  /**
   * Illustrative prices, not a quote: chat 2 USD / 8 USD per million input / output tokens; images 10 USD / 40
   * USD per million input / output tokens and nothing per image. Set your own.
   */
  public static final PriceTable ILLUSTRATIVE =
      new PriceTable(new Price(2.0, 8.0, 0.0), new Price(10.0, 40.0, 0.0));

  /** Prices everything at zero (for offline runs against a stand-in). */
  public static final PriceTable FREE = new PriceTable(new Price(0, 0, 0), new Price(0, 0, 0));

  /** Validates the table. */
  public PriceTable {
    requireNonNull(chat, "chat");
    requireNonNull(images, "images");
  }

  /**
   * Returns the price that applies to an endpoint.
   *
   * @param endpoint the endpoint
   * @return {@link #images()} for image endpoints, else {@link #chat()}
   */
  public Price priceFor(Endpoint endpoint) {
    return endpoint.producesImages() ? images : chat;
  }

  /**
   * Prices for one class of model, in US dollars.
   *
   * @param inputPerMillionTokens price of one million input (prompt) tokens
   * @param outputPerMillionTokens price of one million output tokens
   * @param perImage price of one produced image (for services that bill per image rather than per token)
   */
  public record Price(double inputPerMillionTokens, double outputPerMillionTokens, double perImage) {
    /** Validates the prices. */
    public Price {
      checkArgument(
          inputPerMillionTokens >= 0 && outputPerMillionTokens >= 0 && perImage >= 0,
          "prices must be >= 0, got %s / %s / %s",
          inputPerMillionTokens,
          outputPerMillionTokens,
          perImage);
    }

    /**
     * Returns the estimated cost of a usage.
     *
     * @param usage tokens and images
     * @return the cost in US dollars
     */
    public double cost(Usage usage) {
      return usage.inputTokens() * inputPerMillionTokens / 1e6
          + usage.outputTokens() * outputPerMillionTokens / 1e6
          + usage.images() * perImage;
    }
  }
}
