package io.gptedit.spark;

import static java.util.Objects.requireNonNull;

import io.gptedit.core.remote.OpenAiClient;
import java.time.Duration;

/**
 * The OpenAI-compatible client as an executor's services: one {@link OpenAiClient} per executor for edits,
 * generations and chat, limited to the executor's {@link ClientBudget}. The API key is read on each executor from
 * the environment variable named here; it never travels with the job.
 *
 * @param baseUrl the API base URL
 * @param model the image model (edits and generations)
 * @param apiKeyEnv the environment variable holding the key
 * @param apiKeyRequired whether a missing key is an error (false for a loopback server)
 * @param requestTimeoutMillis the per-request timeout in milliseconds
 * @since 0.1
 */
public record OpenAiServices(
    String baseUrl, String model, String apiKeyEnv, boolean apiKeyRequired, long requestTimeoutMillis)
    implements ServicesFactory {
  private static final long serialVersionUID = 1L;

  /** Validates. */
  public OpenAiServices {
    requireNonNull(baseUrl, "baseUrl");
    requireNonNull(model, "model");
    requireNonNull(apiKeyEnv, "apiKeyEnv");
    if (requestTimeoutMillis < 1) {
      throw new IllegalArgumentException("requestTimeoutMillis must be >= 1, got " + requestTimeoutMillis);
    }
  }

  @Override
  public CurationServices create(ClientBudget budget) {
    OpenAiClient client = OpenAiClient.builder()
        .baseUrl(baseUrl)
        .apiKeyEnvironmentVariable(apiKeyEnv)
        .apiKeyRequired(apiKeyRequired)
        .editModel(model)
        .generationModel(model)
        .maxConcurrency(budget.maxConcurrency())
        .requestsPerMinute(budget.requestsPerMinute())
        .requestTimeout(Duration.ofMillis(requestTimeoutMillis))
        .build();
    return new CurationServices(client, client, client, client);
  }
}
