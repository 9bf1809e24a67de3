package io.gptedit.spark;

import static java.util.Objects.requireNonNull;

import io.gptedit.core.remote.OpenAiClient;
import io.gptedit.data.curation.ApiCuration;
import io.gptedit.data.curation.CurationConfig;
import io.gptedit.data.curation.CurationSummary;
import java.nio.file.Path;
import org.apache.spark.sql.SparkSession;

/**
 * Curates a real source on Spark through an OpenAI-compatible image API: the Spark counterpart of
 * {@link ApiCuration} ({@code gptedit curate --engine spark --source SPEC}). The source is read as a Spark dataset
 * ({@link InputDecoders#open}: {@code release:DIR}, {@code parquet:FILE|GLOB|DIR} or {@code folder:DIR}); the
 * settings are {@link ApiCuration#config}'s (the dataset's policy and shard prefix, the chat model, the dated prices),
 * rebuilt on every executor from these plain values; the services are one {@link OpenAiServices} client per executor.
 * There is no spend cap on Spark (the cap is the local pipeline's); size the job with {@code gptedit estimate}.
 *
 * <pre>{@code
 * new SparkApiCuration("release:/data/gpt-edit", "/shared/shards", "omniedit", OpenAiClient.DEFAULT_BASE_URL,
 *     "gpt-image-1", "gpt-4o", "OPENAI_API_KEY", 8, 0).run(spark, 64, 250);
 * }</pre>
 *
 * @param source the source spec
 * @param output the shard folder, on a file system every executor writes
 * @param dataset the dataset (omniedit, hqedit, ultraedit, ...): its policy, parquet columns and shard prefix
 * @param baseUrl the API base URL
 * @param imageModel the image-edit model
 * @param chatModel the rewrite and C3 chat model
 * @param apiKeyEnv the environment variable holding the key on the executors (optional for a loopback URL)
 * @param concurrency samples in flight at once per executor
 * @param generationUnit pixels per aspect unit of the generation size, or 0 for GPT-Image-1's sizes
 * @since 0.1
 */
public record SparkApiCuration(String source, String output, String dataset, String baseUrl, String imageModel,
    String chatModel, String apiKeyEnv, int concurrency, int generationUnit) implements ConfigFactory {
  private static final long serialVersionUID = 1L;

  /** Validates. */
  public SparkApiCuration {
    requireNonNull(source, "source");
    requireNonNull(output, "output");
    requireNonNull(dataset, "dataset");
    requireNonNull(baseUrl, "baseUrl");
    requireNonNull(imageModel, "imageModel");
    requireNonNull(chatModel, "chatModel");
    requireNonNull(apiKeyEnv, "apiKeyEnv");
    if (generationUnit < 0) {
      throw new IllegalArgumentException("generationUnit must be >= 0 (0: the default sizes), got " + generationUnit);
    }
  }

  @Override
  public CurationConfig create() {
    ApiCuration.Builder b = ApiCuration.builder(source, Path.of(output)).optDataset(dataset).optImageModel(imageModel)
        .optChatModel(chatModel).optConcurrency(concurrency);
    if (generationUnit > 0) {
      b.optGenerationUnit(generationUnit);
    }
    return b.build().config();
  }

  /**
   * Returns the executors' services: the OpenAI-compatible client, its key required unless the URL is loopback.
   *
   * @return the services
   */
  public OpenAiServices services() {
    return OpenAiServices.of(baseUrl, imageModel, apiKeyEnv, !OpenAiClient.isLoopback(baseUrl));
  }

  /**
   * Runs the curation; a re-run skips every key with a final outcome.
   *
   * @param spark the session
   * @param partitions tasks for release and folder sources (parquet splits by file and row group)
   * @param requestsPerMinute the whole job's budget, split over the executors; 0 for none
   * @return this run's summary
   * @throws io.gptedit.core.GpteditException if the source cannot be listed or its spec is not one Spark reads
   */
  public CurationSummary run(SparkSession spark, int partitions, int requestsPerMinute) {
    InputDecoders.Input in = InputDecoders.open(spark, source, dataset, partitions);
    return SparkCuration.builder(this, services()).optRequestsPerMinute(requestsPerMinute).build()
        .run(spark, in.rows(), in.decoder());
  }
}
