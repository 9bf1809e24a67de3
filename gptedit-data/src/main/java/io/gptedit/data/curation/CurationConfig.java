package io.gptedit.data.curation;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import io.gptedit.core.geometry.AspectPreset;
import io.gptedit.core.geometry.Size;
import io.gptedit.core.quality.PaddingMaskCheck;
import io.gptedit.core.quality.ResidualPaddingCheck;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;

/**
 * Settings of a curation run. Required: the output folder. Everything else has a default (see the builder).
 *
 * @since 0.1
 */
public final class CurationConfig {
  private final Path outputDir;
  private final Path ledgerFile;
  private final String shardPrefix;
  private final int maxSamplesPerShard;
  private final long maxShardBytes;
  private final int concurrency;
  private final int maxAttempts;
  private final Duration retryBackoff;
  private final Map<AspectPreset, Size> generationSizes;
  private final Map<String, SourcePolicy> policies;
  private final SourcePolicy defaultPolicy;
  private final String chatModel;
  private final ResidualPaddingCheck residualCheck;
  private final PaddingMaskCheck maskCheck;
  private final CostModel costModel;
  private final double maxSpendUsd;
  private final boolean dryRun;
  private final CurationListener listener;

  private CurationConfig(Builder b) {
    this.outputDir = b.outputDir;
    this.ledgerFile = b.ledgerFile != null ? b.ledgerFile : b.outputDir.resolve("ledger.duckdb");
    this.shardPrefix = b.shardPrefix;
    this.maxSamplesPerShard = b.maxSamplesPerShard;
    this.maxShardBytes = b.maxShardBytes;
    this.concurrency = b.concurrency;
    this.maxAttempts = b.maxAttempts;
    this.retryBackoff = b.retryBackoff;
    this.generationSizes = Map.copyOf(b.generationSizes);
    this.policies = Map.copyOf(b.policies);
    this.defaultPolicy = b.defaultPolicy;
    this.chatModel = b.chatModel;
    this.residualCheck = b.residualCheck;
    this.maskCheck = b.maskCheck;
    this.costModel = b.costModel;
    this.maxSpendUsd = b.maxSpendUsd;
    this.dryRun = b.dryRun;
    this.listener = b.listener;
  }

  /**
   * Returns a builder.
   *
   * @param outputDir where shards (and by default the ledger) go
   * @return the builder
   */
  public static Builder builder(Path outputDir) {
    return new Builder(outputDir);
  }

  /** @return the shard folder */
  public Path outputDir() {
    return outputDir;
  }

  /** @return the ledger file */
  public Path ledgerFile() {
    return ledgerFile;
  }

  /** @return the shard name prefix */
  public String shardPrefix() {
    return shardPrefix;
  }

  /** @return the most samples per shard */
  public int maxSamplesPerShard() {
    return maxSamplesPerShard;
  }

  /** @return the most bytes per shard */
  public long maxShardBytes() {
    return maxShardBytes;
  }

  /** @return how many units are processed at once (service calls in flight) */
  public int concurrency() {
    return concurrency;
  }

  /** @return attempts per unit for retryable errors */
  public int maxAttempts() {
    return maxAttempts;
  }

  /** @return the first retry's delay (doubled each time, with jitter) */
  public Duration retryBackoff() {
    return retryBackoff;
  }

  /**
   * Returns the generation size for a preset.
   *
   * @param preset the preset
   * @return the size to request
   */
  public Size generationSize(AspectPreset preset) {
    return generationSizes.getOrDefault(preset, preset.generationSize());
  }

  /**
   * Returns the policy for a dataset.
   *
   * @param dataset the dataset name
   * @return its policy, or the default one
   */
  public SourcePolicy policy(String dataset) {
    return policies.getOrDefault(dataset, defaultPolicy);
  }

  /** @return the chat model for rewrites and compositions */
  public String chatModel() {
    return chatModel;
  }

  /** @return the residual-padding check */
  public ResidualPaddingCheck residualCheck() {
    return residualCheck;
  }

  /** @return the padding-mask check */
  public PaddingMaskCheck maskCheck() {
    return maskCheck;
  }

  /** @return the prices */
  public CostModel costModel() {
    return costModel;
  }

  /** @return the spend cap in USD ({@code +Infinity} when none) */
  public double maxSpendUsd() {
    return maxSpendUsd;
  }

  /** @return whether to plan only */
  public boolean dryRun() {
    return dryRun;
  }

  /** @return the progress listener */
  public CurationListener listener() {
    return listener;
  }

  /** Builds a {@link CurationConfig}. */
  public static final class Builder {
    private final Path outputDir;
    private Path ledgerFile;
    private String shardPrefix = "curated";
    private int maxSamplesPerShard = 1000;
    private long maxShardBytes = 1L << 30;
    private int concurrency = 8;
    private int maxAttempts = 3;
    private Duration retryBackoff = Duration.ofMillis(200);
    private final Map<AspectPreset, Size> generationSizes = new EnumMap<>(AspectPreset.class);
    private final Map<String, SourcePolicy> policies = new HashMap<>();
    private SourcePolicy defaultPolicy = SourcePolicy.regenerateOnly();
    private String chatModel = "gpt-4o";
    private ResidualPaddingCheck residualCheck = ResidualPaddingCheck.paperDefault();
    private PaddingMaskCheck maskCheck = PaddingMaskCheck.defaults();
    private CostModel costModel = CostModel.gptImage1();
    private double maxSpendUsd = Double.POSITIVE_INFINITY;
    private boolean dryRun;
    private CurationListener listener = p -> { };

    private Builder(Path outputDir) {
      this.outputDir = requireNonNull(outputDir, "outputDir");
      policies.put("omniedit", SourcePolicy.omniEdit());
      policies.put("hqedit", SourcePolicy.regenerateOnly());
      policies.put("hqedit_generate", SourcePolicy.generate());
      policies.put("ultraedit", SourcePolicy.regenerateOnly());
    }

    /**
     * Sets the ledger file (default {@code <outputDir>/ledger.duckdb}).
     *
     * @param file the DuckDB file
     * @return this builder
     */
    public Builder optLedgerFile(Path file) {
      this.ledgerFile = requireNonNull(file, "file");
      return this;
    }

    /**
     * Sets the shard name prefix (default {@code curated}).
     *
     * @param prefix letters, digits, {@code _} and {@code -}
     * @return this builder
     */
    public Builder optShardPrefix(String prefix) {
      this.shardPrefix = requireNonNull(prefix, "prefix");
      return this;
    }

    /**
     * Sets the shard limits (default 1,000 samples and 1 GiB).
     *
     * @param samples most samples per shard
     * @param bytes most bytes per shard
     * @return this builder
     */
    public Builder optShardLimits(int samples, long bytes) {
      checkArgument(samples >= 1 && bytes >= 1024, "shard limits must be >= 1 sample and >= 1024 bytes");
      this.maxSamplesPerShard = samples;
      this.maxShardBytes = bytes;
      return this;
    }

    /**
     * Sets how many units run at once (default 8).
     *
     * @param n 1 to 1024
     * @return this builder
     */
    public Builder optConcurrency(int n) {
      checkArgument(n >= 1 && n <= 1024, "concurrency must be 1..1024, got %s", n);
      this.concurrency = n;
      return this;
    }

    /**
     * Sets the retry policy for retryable service errors (default 3 attempts, 200 ms first backoff).
     *
     * @param attempts attempts per unit, at least 1
     * @param backoff the first retry's delay
     * @return this builder
     */
    public Builder optRetries(int attempts, Duration backoff) {
      checkArgument(attempts >= 1, "attempts must be >= 1, got %s", attempts);
      checkArgument(!backoff.isNegative(), "backoff must be >= 0");
      this.maxAttempts = attempts;
      this.retryBackoff = backoff;
      return this;
    }

    /**
     * Sets the generation size for a preset (default GPT-Image-1's: 1024x1024, 1536x1024, 1024x1536); small
     * sizes of the same ratio make offline runs fast.
     *
     * @param preset the preset
     * @param size a size with exactly the preset's ratio
     * @return this builder
     */
    public Builder optGenerationSize(AspectPreset preset, Size size) {
      checkArgument(
          (long) size.width() * preset.ratioHeight() == (long) size.height() * preset.ratioWidth(),
          "generation size %s does not have the %s ratio", size, preset.ratioLabel());
      generationSizes.put(preset, size);
      return this;
    }

    /**
     * Sets every preset's generation size to {@code unit} times its ratio terms (such as 64 for 64x64, 192x128,
     * 128x192).
     *
     * @param unit pixels per ratio unit
     * @return this builder
     */
    public Builder optGenerationUnit(int unit) {
      checkArgument(unit >= 1, "unit must be >= 1");
      for (AspectPreset p : AspectPreset.values()) {
        generationSizes.put(p, new Size(p.ratioWidth() * unit, p.ratioHeight() * unit));
      }
      return this;
    }

    /**
     * Sets a dataset's policy (defaults: {@code omniedit} rewrites 10 % and adds C3 for half; {@code hqedit} and
     * {@code ultraedit} regenerate; {@code hqedit_generate} generates inputs).
     *
     * @param dataset the dataset name as metadata records it
     * @param policy the policy
     * @return this builder
     */
    public Builder optPolicy(String dataset, SourcePolicy policy) {
      policies.put(requireNonNull(dataset, "dataset"), requireNonNull(policy, "policy"));
      return this;
    }

    /**
     * Sets the policy for datasets without their own (default: regenerate only).
     *
     * @param policy the policy
     * @return this builder
     */
    public Builder optDefaultPolicy(SourcePolicy policy) {
      this.defaultPolicy = requireNonNull(policy, "policy");
      return this;
    }

    /**
     * Sets the chat model (default {@code gpt-4o}).
     *
     * @param model the model name
     * @return this builder
     */
    public Builder optChatModel(String model) {
      this.chatModel = requireNonNull(model, "model");
      return this;
    }

    /**
     * Sets the quality checks (default: the paper's 0.5 % residual threshold and the default mask check).
     *
     * @param residual the residual-padding check
     * @param mask the padding-mask check
     * @return this builder
     */
    public Builder optChecks(ResidualPaddingCheck residual, PaddingMaskCheck mask) {
      this.residualCheck = requireNonNull(residual, "residual");
      this.maskCheck = requireNonNull(mask, "mask");
      return this;
    }

    /**
     * Sets the prices (default {@link CostModel#gptImage1()}).
     *
     * @param model the prices
     * @return this builder
     */
    public Builder optCostModel(CostModel model) {
      this.costModel = requireNonNull(model, "model");
      return this;
    }

    /**
     * Sets a hard spend cap: a unit starts only if the spend so far, plus the ceiling of every unit in flight, plus
     * its own ceiling stays within the cap, so the run never spends more (units left over stay for a later run).
     * A unit's ceiling is {@link CostModel#imageCallCeiling} per image call at the largest generation size and
     * {@link CostModel#chatCallCeiling} per chat call, times the attempts; chat calls are counted at their ceiling
     * also after they ran (their usage is not metered).
     *
     * @param usd the cap, positive
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
     * Plans and counts without calling services or writing anything.
     *
     * @param dryRun whether to plan only
     * @return this builder
     */
    public Builder optDryRun(boolean dryRun) {
      this.dryRun = dryRun;
      return this;
    }

    /**
     * Sets the progress listener (called on the pipeline's thread after every unit).
     *
     * @param listener the listener
     * @return this builder
     */
    public Builder optListener(CurationListener listener) {
      this.listener = requireNonNull(listener, "listener");
      return this;
    }

    /**
     * Builds the configuration.
     *
     * @return the configuration
     */
    public CurationConfig build() {
      return new CurationConfig(this);
    }
  }
}
