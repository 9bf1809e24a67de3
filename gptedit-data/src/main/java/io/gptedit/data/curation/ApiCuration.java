package io.gptedit.data.curation;

import static java.util.Objects.requireNonNull;

import io.gptedit.core.GpteditException;
import io.gptedit.core.remote.OpenAiClient;
import io.gptedit.data.sources.SourceProblem;
import io.gptedit.data.sources.TripletSource;
import io.gptedit.data.sources.TripletSources;
import java.nio.file.Path;
import java.util.List;

/**
 * Curates a real source through an OpenAI-compatible image API: the source ({@link TripletSources#open}: {@code
 * release:DIR}, {@code archives:DIR}, {@code parquet:FILE|GLOB|DIR} or {@code folder:DIR}) with its dataset's
 * policy, parquet columns and shard prefix, one {@link OpenAiClient} for image edits and generations and the chat
 * calls, prices from the dated table with an optional hard spend cap, and the resumable {@link CurationPipeline}
 * with its DuckDB ledger in the output folder. {@code gptedit curate --source} is this class with flags.
 *
 * <pre>{@code
 * ApiCuration.Result r = ApiCuration.builder("parquet:/data/OmniEdit/data", Path.of("shards/omniedit"))
 *     .optDataset("omniedit").optMaxSpendUsd(50).build().run();
 * System.out.println(r.summary().text());
 * }</pre>
 *
 * <p>The API key is read from the environment variable {@link Builder#optApiKeyEnvironmentVariable} (default {@value
 * OpenAiClient#DEFAULT_API_KEY_ENV}); it is optional for a loopback base URL and for a dry run.
 *
 * @since 0.1
 */
public final class ApiCuration {
  private final String source;
  private final String dataset;
  private final String baseUrl;
  private final String imageModel;
  private final String keyEnv;
  private final CurationConfig config;

  private ApiCuration(Builder b) {
    this.source = b.source;
    this.dataset = b.dataset;
    this.baseUrl = b.baseUrl;
    this.imageModel = b.imageModel;
    this.keyEnv = b.keyEnv;
    this.config =
        b.config.optShardPrefix(b.dataset).optPolicy(b.dataset, SourcePolicy.forDataset(b.dataset))
            .optChatModel(b.chatModel).optCostModel(CostModel.published(b.imageModel, b.chatModel)).build();
  }

  /**
   * Starts a curation of a source into a shard folder.
   *
   * @param source the source spec, as {@link TripletSources#open} reads it
   * @param output the shard folder; the ledger is {@code ledger.duckdb} inside
   * @return the builder
   */
  public static Builder builder(String source, Path output) {
    return new Builder(source, output);
  }

  /**
   * Returns the pipeline's settings: the dataset's shard prefix and policy, the chat model, the dated prices, and the
   * builder's concurrency, generation unit, spend cap and dry-run flag. Engines that run the pipeline's stages
   * elsewhere (gptedit-spark) curate with these settings.
   *
   * @return the settings
   */
  public CurationConfig config() {
    return config;
  }

  /**
   * Runs (or, as a dry run, plans) the curation; a second run resumes and skips every finished sample.
   *
   * @return the summary, the source's problems and, for a dry run, the plan's calls and price ceiling
   * @throws GpteditException when the source, the ledger or the API cannot be used
   */
  public Result run() {
    try (TripletSource src = TripletSources.open(source, dataset);
        OpenAiClient client =
            OpenAiClient.builder()
                .optBaseUrl(baseUrl)
                .optApiKeyEnvironmentVariable(keyEnv)
                .optApiKeyRequired(!OpenAiClient.isLoopback(baseUrl) && !config.dryRun())
                .optEditModel(imageModel)
                .optGenerationModel(imageModel)
                .optMaxConcurrency(config.concurrency())
                .build()) {
      CurationPipeline pipeline = new CurationPipeline(config, client, client, client);
      CurationSummary summary = pipeline.run(src, 0);
      Plan plan = null;
      if (config.dryRun()) {
        double[] e = pipeline.estimate(summary);
        plan = new Plan((long) e[0], (long) e[1], e[2], imageModel, config.chatModel(), CostModel.pricesAsOf());
      }
      return new Result(summary, List.copyOf(src.problems()), plan);
    } catch (GpteditException e) {
      throw e;
    } catch (Exception e) {
      throw new GpteditException("curating " + source + " into " + config.outputDir() + " failed: " + e.getMessage(), e);
    }
  }

  /**
   * A dry run's plan: calls at first attempt and the most they can cost (retries may add more; a spend cap bounds
   * the total).
   *
   * @param imageCalls image-edit and generation calls
   * @param chatCalls rewrite and C3 chat calls
   * @param maxUsd the price ceiling of those calls
   * @param imageModel the priced image model
   * @param chatModel the priced chat model
   * @param pricesAsOf the date of the price table
   */
  public record Plan(
      long imageCalls, long chatCalls, double maxUsd, String imageModel, String chatModel, String pricesAsOf) {}

  /**
   * A finished run.
   *
   * @param summary the pipeline's summary
   * @param problems the source records that could not be read, each naming its file and field
   * @param plan the dry run's plan, or null after a real run
   */
  public record Result(CurationSummary summary, List<SourceProblem> problems, Plan plan) {
    /** Validates. */
    public Result {
      requireNonNull(summary, "summary");
      requireNonNull(problems, "problems");
    }
  }

  /**
   * Settings of an {@link ApiCuration}: the API's, and the pipeline's, which go to a {@link CurationConfig.Builder}
   * (and are validated there).
   */
  public static final class Builder {
    private final String source;
    private final CurationConfig.Builder config;
    private String dataset = "omniedit";
    private String baseUrl = OpenAiClient.DEFAULT_BASE_URL;
    private String imageModel = OpenAiClient.DEFAULT_IMAGE_MODEL;
    private String chatModel = "gpt-4o";
    private String keyEnv = OpenAiClient.DEFAULT_API_KEY_ENV;

    private Builder(String source, Path output) {
      this.source = requireNonNull(source, "source");
      this.config = CurationConfig.builder(requireNonNull(output, "output"));
    }

    /**
     * The dataset (omniedit, hqedit, ultraedit, ...): its curation policy, parquet columns and shard prefix (default
     * omniedit).
     *
     * @param dataset the dataset's name
     * @return this builder
     */
    public Builder optDataset(String dataset) {
      this.dataset = requireNonNull(dataset, "dataset");
      return this;
    }

    /**
     * The API's base URL (default {@value OpenAiClient#DEFAULT_BASE_URL}).
     *
     * @param url the URL
     * @return this builder
     */
    public Builder optBaseUrl(String url) {
      this.baseUrl = requireNonNull(url, "url");
      return this;
    }

    /**
     * The image-edit model (default {@value OpenAiClient#DEFAULT_IMAGE_MODEL}).
     *
     * @param model the model
     * @return this builder
     */
    public Builder optImageModel(String model) {
      this.imageModel = requireNonNull(model, "model");
      return this;
    }

    /**
     * The rewrite and C3 chat model (default gpt-4o).
     *
     * @param model the model
     * @return this builder
     */
    public Builder optChatModel(String model) {
      this.chatModel = requireNonNull(model, "model");
      return this;
    }

    /**
     * The environment variable holding the API key (default {@value OpenAiClient#DEFAULT_API_KEY_ENV}).
     *
     * @param name the variable's name
     * @return this builder
     */
    public Builder optApiKeyEnvironmentVariable(String name) {
      this.keyEnv = requireNonNull(name, "name");
      return this;
    }

    /**
     * Samples in flight at once, and the client's concurrent requests ({@link CurationConfig.Builder#optConcurrency}).
     *
     * @param n 1 to 1024
     * @return this builder
     */
    public Builder optConcurrency(int n) {
      config.optConcurrency(n);
      return this;
    }

    /**
     * A hard spend cap in USD at the dated table's prices ({@link CurationConfig.Builder#optMaxSpendUsd}).
     *
     * @param usd a positive amount
     * @return this builder
     */
    public Builder optMaxSpendUsd(double usd) {
      config.optMaxSpendUsd(usd);
      return this;
    }

    /**
     * Pixels per aspect unit of the generation size ({@link CurationConfig.Builder#optGenerationUnit}).
     *
     * @param unit a positive unit
     * @return this builder
     */
    public Builder optGenerationUnit(int unit) {
      config.optGenerationUnit(unit);
      return this;
    }

    /**
     * Plans and counts without calling any service, and without a key ({@link CurationConfig.Builder#optDryRun}).
     *
     * @param dryRun whether to
     * @return this builder
     */
    public Builder optDryRun(boolean dryRun) {
      config.optDryRun(dryRun);
      return this;
    }

    /**
     * Progress events ({@link CurationConfig.Builder#optListener}).
     *
     * @param listener the listener
     * @return this builder
     */
    public Builder optListener(CurationListener listener) {
      config.optListener(listener);
      return this;
    }

    /**
     * Builds the pipeline's settings.
     *
     * @return the curation
     * @throws IllegalArgumentException when the dataset is unknown
     */
    public ApiCuration build() {
      return new ApiCuration(this);
    }
  }
}
