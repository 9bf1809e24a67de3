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
  private final Builder b;

  private ApiCuration(Builder b) {
    this.b = b.copy();
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
   * Runs (or, as a dry run, plans) the curation; a second run resumes and skips every finished sample.
   *
   * @return the summary, the source's problems and, for a dry run, the plan's calls and price ceiling
   * @throws GpteditException when the source, the ledger or the API cannot be used
   */
  public Result run() {
    CostModel prices = CostModel.published(b.imageModel, b.chatModel);
    CurationConfig.Builder c =
        CurationConfig.builder(b.output)
            .optShardPrefix(b.dataset)
            .optConcurrency(b.concurrency)
            .optPolicy(b.dataset, SourcePolicy.forDataset(b.dataset))
            .optChatModel(b.chatModel)
            .optCostModel(prices)
            .optDryRun(b.dryRun);
    if (b.listener != null) {
      c.optListener(b.listener);
    }
    if (b.generationUnit > 0) {
      c.optGenerationUnit(b.generationUnit);
    }
    if (b.maxSpendUsd > 0) {
      c.optMaxSpendUsd(b.maxSpendUsd);
    }
    try (TripletSource src = TripletSources.open(b.source, b.dataset);
        OpenAiClient client =
            OpenAiClient.builder()
                .optBaseUrl(b.baseUrl)
                .optApiKeyEnvironmentVariable(b.keyEnv)
                .optApiKeyRequired(!OpenAiClient.isLoopback(b.baseUrl) && !b.dryRun)
                .optEditModel(b.imageModel)
                .optGenerationModel(b.imageModel)
                .optMaxConcurrency(b.concurrency)
                .build()) {
      CurationPipeline pipeline = new CurationPipeline(c.build(), client, client, client);
      CurationSummary summary = pipeline.run(src, 0);
      Plan plan = null;
      if (b.dryRun) {
        double[] e = pipeline.estimate(summary);
        plan = new Plan((long) e[0], (long) e[1], e[2], b.imageModel, b.chatModel, CostModel.pricesAsOf());
      }
      return new Result(summary, List.copyOf(src.problems()), plan);
    } catch (GpteditException e) {
      throw e;
    } catch (Exception e) {
      throw new GpteditException("curating " + b.source + " into " + b.output + " failed: " + e.getMessage(), e);
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

  /** Settings of an {@link ApiCuration}. */
  public static final class Builder {
    private final String source;
    private final Path output;
    private String dataset = "omniedit";
    private String baseUrl = OpenAiClient.DEFAULT_BASE_URL;
    private String imageModel = OpenAiClient.DEFAULT_IMAGE_MODEL;
    private String chatModel = "gpt-4o";
    private String keyEnv = OpenAiClient.DEFAULT_API_KEY_ENV;
    private int concurrency = 4;
    private double maxSpendUsd;
    private int generationUnit;
    private boolean dryRun;
    private CurationListener listener;

    private Builder(String source, Path output) {
      this.source = requireNonNull(source, "source");
      this.output = requireNonNull(output, "output");
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
     * Samples in flight at once (default 4).
     *
     * @param n 1 to 1024
     * @return this builder
     */
    public Builder optConcurrency(int n) {
      if (n < 1 || n > 1024) {
        throw new IllegalArgumentException("concurrency must be 1..1024, got " + n);
      }
      this.concurrency = n;
      return this;
    }

    /**
     * A hard spend cap in USD, at the dated table's prices (default none).
     *
     * @param usd a positive amount
     * @return this builder
     */
    public Builder optMaxSpendUsd(double usd) {
      if (!(usd > 0)) {
        throw new IllegalArgumentException("maxSpendUsd must be positive, got " + usd);
      }
      this.maxSpendUsd = usd;
      return this;
    }

    /**
     * Pixels per aspect unit of the generation size (default GPT-Image-1's 1024x1024, 1536x1024, 1024x1536).
     *
     * @param unit a positive unit
     * @return this builder
     */
    public Builder optGenerationUnit(int unit) {
      if (unit < 1) {
        throw new IllegalArgumentException("generation unit must be >= 1, got " + unit);
      }
      this.generationUnit = unit;
      return this;
    }

    /**
     * Plans and counts without calling any service (default false).
     *
     * @param dryRun whether to
     * @return this builder
     */
    public Builder optDryRun(boolean dryRun) {
      this.dryRun = dryRun;
      return this;
    }

    /**
     * Progress events.
     *
     * @param listener the listener
     * @return this builder
     */
    public Builder optListener(CurationListener listener) {
      this.listener = requireNonNull(listener, "listener");
      return this;
    }

    private Builder copy() {
      Builder c = new Builder(source, output);
      c.dataset = dataset;
      c.baseUrl = baseUrl;
      c.imageModel = imageModel;
      c.chatModel = chatModel;
      c.keyEnv = keyEnv;
      c.concurrency = concurrency;
      c.maxSpendUsd = maxSpendUsd;
      c.generationUnit = generationUnit;
      c.dryRun = dryRun;
      c.listener = listener;
      return c;
    }

    /** @return the curation */
    public ApiCuration build() {
      return new ApiCuration(this);
    }
  }
}
