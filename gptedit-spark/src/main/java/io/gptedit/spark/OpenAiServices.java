package io.gptedit.spark;

import static java.util.Objects.requireNonNull;

import io.gptedit.core.remote.OpenAiClient;
import io.gptedit.core.remote.RetryPolicy;
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
 * @param retryAttempts the client's attempts per request (429, 5xx, timeouts)
 * @param retryBaseMillis the client's first retry delay in milliseconds
 * @param retryMaxMillis the client's longest retry delay in milliseconds
 * @since 0.1
 */
public record OpenAiServices(
    String baseUrl, String model, String apiKeyEnv, boolean apiKeyRequired, long requestTimeoutMillis,
    int retryAttempts, long retryBaseMillis, long retryMaxMillis)
    implements ServicesFactory {
  private static final long serialVersionUID = 1L;

  /** Validates. */
  public OpenAiServices {
    requireNonNull(baseUrl, "baseUrl");
    requireNonNull(model, "model");
    requireNonNull(apiKeyEnv, "apiKeyEnv");
    if (requestTimeoutMillis < 1 || retryAttempts < 1 || retryBaseMillis < 0 || retryMaxMillis < retryBaseMillis) {
      throw new IllegalArgumentException("need requestTimeoutMillis >= 1, retryAttempts >= 1 and"
          + " 0 <= retryBaseMillis <= retryMaxMillis");
    }
  }

  /**
   * Returns the client with a 120 s request timeout and the client's default retry policy.
   *
   * @param baseUrl the API base URL
   * @param model the image model
   * @param apiKeyEnv the environment variable holding the key
   * @param apiKeyRequired whether a missing key is an error
   * @return the factory
   */
  public static OpenAiServices of(String baseUrl, String model, String apiKeyEnv, boolean apiKeyRequired) {
    RetryPolicy d = RetryPolicy.DEFAULT;
    return new OpenAiServices(baseUrl, model, apiKeyEnv, apiKeyRequired, 120_000, d.maxAttempts(),
        d.baseDelay().toMillis(), d.maxDelay().toMillis());
  }

  /**
   * Returns a copy with another timeout and retry policy.
   *
   * @param timeoutMillis the per-request timeout
   * @param attempts attempts per request
   * @param baseMillis the first retry delay
   * @param maxMillis the longest retry delay
   * @return the factory
   */
  public OpenAiServices withRetries(long timeoutMillis, int attempts, long baseMillis, long maxMillis) {
    return new OpenAiServices(baseUrl, model, apiKeyEnv, apiKeyRequired, timeoutMillis, attempts, baseMillis, maxMillis);
  }

  @Override
  public CurationServices create(ClientBudget budget) {
    OpenAiClient client = OpenAiClient.builder()
        .optBaseUrl(baseUrl)
        .optApiKeyEnvironmentVariable(apiKeyEnv)
        .optApiKeyRequired(apiKeyRequired)
        .optEditModel(model)
        .optGenerationModel(model)
        .optMaxConcurrency(budget.maxConcurrency())
        .optRequestsPerMinute(budget.requestsPerMinute())
        .optRequestTimeout(Duration.ofMillis(requestTimeoutMillis))
        .optRetryPolicy(new RetryPolicy(retryAttempts, Duration.ofMillis(retryBaseMillis), Duration.ofMillis(retryMaxMillis),
            RetryPolicy.DEFAULT.jitter()))
        .build();
    return new CurationServices(client, client, client, client);
  }
}
