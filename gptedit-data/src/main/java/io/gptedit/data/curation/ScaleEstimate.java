package io.gptedit.data.curation;

import static java.util.Objects.requireNonNull;

import io.gptedit.core.GpteditException;
import io.gptedit.core.geometry.Size;
import io.gptedit.data.shards.ShardReader;
import io.gptedit.data.shards.ShardWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What a curation run at scale costs before it starts: service calls, API time under a requests-per-minute limit
 * and a concurrency limit, spend from the price table, and shard bytes. The counts come from the sources' sizes and
 * policies (rewrite and C3 shares, the generate recipe's extra call), the same rules the pipeline applies.
 *
 * @param parts the sources
 * @param imageRequestsPerMinute the account's image-endpoint limit (requests per minute), at least 1
 * @param chatRequestsPerMinute the account's chat limit, at least 1
 * @param concurrency requests in flight at once over all workers, at least 1
 * @param secondsPerImageCall the image endpoint's latency per call
 * @param attemptsPerCall mean attempts per call (1 with no retries; measured runs give the retry share)
 * @param bytesPerSample mean bytes of one written sample in a shard (input PNG, output PNG, JSON, tar headers)
 * @param prices the prices
 * @since 0.1
 */
public record ScaleEstimate(
    List<Part> parts,
    int imageRequestsPerMinute,
    int chatRequestsPerMinute,
    int concurrency,
    double secondsPerImageCall,
    double attemptsPerCall,
    double bytesPerSample,
    CostModel prices) {

  /**
   * One source's share of the run.
   *
   * @param dataset the dataset name
   * @param inputs its input samples
   * @param policy its policy (rewrite and C3 shares, recipe)
   * @param generation the generation size its calls are priced at
   */
  public record Part(String dataset, long inputs, SourcePolicy policy, Size generation) {
    /** Validates. */
    public Part {
      requireNonNull(dataset, "dataset");
      requireNonNull(policy, "policy");
      requireNonNull(generation, "generation");
      if (inputs < 0) {
        throw new IllegalArgumentException("inputs must be >= 0, got " + inputs);
      }
    }

    /** @return C3 units: the policy's share of the inputs */
    public long c3Units() {
      return Math.round(inputs * policy.c3Fraction());
    }

    /** @return rewritten base units */
    public long rewrites() {
      return Math.round(inputs * policy.rewriteFraction());
    }

    /** @return units: one per input plus the C3 ones */
    public long units() {
      return inputs + c3Units();
    }

    /** @return image-edit calls at one attempt each (one per unit) */
    public long editCalls() {
      return units();
    }

    /** @return text-to-image calls (one per input for the generate recipe) */
    public long generationCalls() {
      return policy.recipe() == Recipe.GENERATE ? inputs : 0;
    }

    /** @return chat calls: one per rewrite, two per C3 unit (propose, compose) */
    public long chatCalls() {
      return rewrites() + 2 * c3Units();
    }
  }

  /** Validates. */
  public ScaleEstimate {
    parts = List.copyOf(parts);
    requireNonNull(prices, "prices");
    if (imageRequestsPerMinute < 1 || chatRequestsPerMinute < 1 || concurrency < 1) {
      throw new IllegalArgumentException("rate limits and concurrency must be >= 1");
    }
    if (!(secondsPerImageCall >= 0) || !(attemptsPerCall >= 1) || !(bytesPerSample >= 0)) {
      throw new IllegalArgumentException("need latency >= 0, attempts per call >= 1 and bytes per sample >= 0");
    }
  }

  /**
   * Returns the paper's release as sources: OmniEdit 956,992 inputs (10 % rewritten, C3 for 313,393 of them, so
   * 1,270,385 samples), HQ-Edit's edit split 89,585 and generate split 93,597, UltraEdit 100,008: 1,553,575 samples
   * (the release's counts). OmniEdit and HQ-Edit are priced at the largest generation size (1536 x 1024), UltraEdit at
   * 1024 x 1024.
   *
   * @return the parts
   */
  public static List<Part> paperRelease() {
    long omniInputs = 1_270_385L - 313_393L;
    SourcePolicy omni = new SourcePolicy(Recipe.REGENERATE, 100_000.0 / omniInputs, 313_393.0 / omniInputs);
    Size wide = new Size(1536, 1024);
    return List.of(
        new Part("omniedit", omniInputs, omni, wide),
        new Part("hqedit", 89_585, SourcePolicy.regenerateOnly(), wide),
        new Part("hqedit_generate", 93_597, SourcePolicy.generate(), wide),
        new Part("ultraedit", 100_008, SourcePolicy.regenerateOnly(), new Size(1024, 1024)));
  }

  /**
   * Measures the mean shard bytes per sample of a folder of curated shards (tar bytes over the samples their index
   * files list), for the {@code bytesPerSample} of an estimate.
   *
   * @param shards a shard folder
   * @return bytes per sample
   * @throws GpteditException when the folder holds no sample or a shard cannot be read
   */
  public static double measuredBytesPerSample(Path shards) {
    long bytes = 0;
    long samples = 0;
    try {
      for (Path shard : ShardReader.listShards(shards)) {
        bytes += Files.size(shard);
        samples += Files.readAllLines(ShardWriter.indexFor(shard)).size();
      }
    } catch (IOException e) {
      throw new GpteditException("cannot measure the shards of " + shards + ": " + e.getMessage(), e);
    }
    if (samples == 0) {
      throw new GpteditException("no samples in the shards of " + shards);
    }
    return (double) bytes / samples;
  }

  /** @return samples (units) over all parts */
  public long samples() {
    return parts.stream().mapToLong(Part::units).sum();
  }

  /** @return image calls (edits and generations) including retries */
  public double imageCalls() {
    return parts.stream().mapToLong(p -> p.editCalls() + p.generationCalls()).sum() * attemptsPerCall;
  }

  /** @return chat calls including retries */
  public double chatCalls() {
    return parts.stream().mapToLong(Part::chatCalls).sum() * attemptsPerCall;
  }

  /** @return hours of image calls under the rate limit alone */
  public double rateLimitedHours() {
    return imageCalls() / imageRequestsPerMinute / 60;
  }

  /** @return hours of image calls under the concurrency limit alone (calls x latency / concurrency) */
  public double concurrencyLimitedHours() {
    return imageCalls() * secondsPerImageCall / concurrency / 3600;
  }

  /** @return hours of chat calls under the chat rate limit (they run beside the image calls) */
  public double chatHours() {
    return chatCalls() / chatRequestsPerMinute / 60;
  }

  /** @return the run's API time: the slowest of the three limits */
  public double apiHours() {
    return Math.max(Math.max(rateLimitedHours(), concurrencyLimitedHours()), chatHours());
  }

  /** @return spend at the price table's per-call ceiling (high-quality output tokens at each part's size) */
  public double costUsd() {
    double usd = 0;
    for (Part p : parts) {
      long pixels = (long) p.generation().width() * p.generation().height();
      usd += (p.editCalls() + p.generationCalls()) * prices.imageCallCeiling(pixels);
      usd += p.chatCalls() * prices.chatCallCeiling();
    }
    return usd * attemptsPerCall;
  }

  /** @return bytes of shards if every sample is written */
  public double shardBytes() {
    return samples() * bytesPerSample;
  }

  /**
   * Formats the estimate as a table, one line per part and the totals.
   *
   * @return lines of text
   */
  public String text() {
    List<String> lines = new ArrayList<>();
    lines.add(String.format(Locale.ROOT, "%-16s %10s %10s %10s %10s %10s", "dataset", "inputs", "samples",
        "edit", "generate", "chat"));
    for (Part p : parts) {
      lines.add(String.format(Locale.ROOT, "%-16s %,10d %,10d %,10d %,10d %,10d", p.dataset(), p.inputs(), p.units(),
          p.editCalls(), p.generationCalls(), p.chatCalls()));
    }
    lines.add(String.format(Locale.ROOT, "samples %,d; image calls %,.0f and chat calls %,.0f at %.2f attempts per call",
        samples(), imageCalls(), chatCalls(), attemptsPerCall));
    lines.add(String.format(Locale.ROOT,
        "API time %.1f h (%.1f days): %.1f h at %d image requests/min, %.1f h at %d in flight x %.0f s, chat %.1f h at %d/min",
        apiHours(), apiHours() / 24, rateLimitedHours(), imageRequestsPerMinute, concurrencyLimitedHours(), concurrency,
        secondsPerImageCall, chatHours(), chatRequestsPerMinute));
    lines.add(String.format(Locale.ROOT, "cost at most $%,.0f (price table as of %s)", costUsd(), CostModel.pricesAsOf()));
    lines.add(String.format(Locale.ROOT, "shards %.2f TB at %.2f MB per sample", shardBytes() / 1e12, bytesPerSample / 1e6));
    return String.join(System.lineSeparator(), lines);
  }
}
