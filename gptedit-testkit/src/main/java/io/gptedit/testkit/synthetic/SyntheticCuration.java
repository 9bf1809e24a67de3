package io.gptedit.testkit.synthetic;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import io.gptedit.core.remote.ChatService;
import io.gptedit.core.remote.ImageEditService;
import io.gptedit.core.remote.ImageGenerationService;
import io.gptedit.core.remote.OpenAiClient;
import io.gptedit.core.triplet.EditTriplet;
import io.gptedit.data.curation.CurationConfig;
import io.gptedit.data.curation.CurationListener;
import io.gptedit.data.curation.CurationPipeline;
import io.gptedit.data.curation.CurationSummary;
import io.gptedit.data.curation.SourcePolicy;
import io.gptedit.data.synthetic.SyntheticSample;
import io.gptedit.data.synthetic.SyntheticWorld;
import io.gptedit.testkit.remote.OpenAiStandInServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * Curates synthetic samples offline: the synthetic world's samples go through the full pipeline (pad,
 * regenerate with the in-process editor, crop, quality checks, 10 % rewrites, C3 for half, shards, ledger).
 * Running it again with the same options does no work; killing it and running it again finishes the job.
 *
 * @since 0.1
 */
public final class SyntheticCuration {
  private SyntheticCuration() {}

  /**
   * Options of a synthetic curation run.
   *
   * @param outputDir the shard folder (the ledger is {@code ledger.duckdb} inside it)
   * @param samples how many synthetic inputs to curate
   * @param seed the world's seed
   * @param minSide the smallest long side of an input
   * @param maxSide the largest long side of an input
   * @param generationUnit pixels per ratio unit of the generation size (64 gives 64x64, 192x128, 128x192;
   *     512 gives GPT-Image-1's 1024x1024, 1536x1024, 1024x1536)
   * @param concurrency units processed at once
   * @param defectRate the share of padded edits the stand-in answers with a defect
   * @param latency artificial delay per service call
   * @param shardSamples samples per shard
   * @param dryRun plan only
   * @param loopbackHttp serve the stand-in services over HTTP on loopback ({@link OpenAiStandInServer}) and call
   *     them through the real {@link OpenAiClient}, instead of calling them in process
   * @param listener progress callback
   */
  public record Options(
      Path outputDir,
      int samples,
      long seed,
      int minSide,
      int maxSide,
      int generationUnit,
      int concurrency,
      double defectRate,
      Duration latency,
      int shardSamples,
      boolean dryRun,
      boolean loopbackHttp,
      CurationListener listener) {
    /** Validates the options. */
    public Options {
      requireNonNull(outputDir, "outputDir");
      checkArgument(samples >= 0, "samples must be >= 0");
      checkArgument(generationUnit >= 1, "generationUnit must be >= 1");
      requireNonNull(latency, "latency");
      requireNonNull(listener, "listener");
    }

    /**
     * Returns defaults: seed 0, inputs 48 to 160 pixels, generation unit 128, concurrency 4, 5 % defects, no
     * latency, 500 samples per shard.
     *
     * @param outputDir the shard folder
     * @param samples how many inputs
     * @return the options
     */
    public static Options defaults(Path outputDir, int samples) {
      return new Options(outputDir, samples, 0, 48, 160, 128, 4, 0.05, Duration.ZERO, 500, false, false, p -> { });
    }

    /**
     * Returns a copy with another seed.
     *
     * @param s the seed
     * @return the options
     */
    public Options withSeed(long s) {
      return new Options(outputDir, samples, s, minSide, maxSide, generationUnit, concurrency, defectRate, latency, shardSamples, dryRun, loopbackHttp, listener);
    }

    /**
     * Returns a copy with other input and generation sizes.
     *
     * @param min the smallest long side
     * @param max the largest long side
     * @param unit pixels per ratio unit of the generation size
     * @return the options
     */
    public Options withSizes(int min, int max, int unit) {
      return new Options(outputDir, samples, seed, min, max, unit, concurrency, defectRate, latency, shardSamples, dryRun, loopbackHttp, listener);
    }

    /**
     * Returns a copy with other service behaviour.
     *
     * @param n concurrency
     * @param defects defect rate
     * @param delay latency per call
     * @return the options
     */
    public Options withService(int n, double defects, Duration delay) {
      return new Options(outputDir, samples, seed, minSide, maxSide, generationUnit, n, defects, delay, shardSamples, dryRun, loopbackHttp, listener);
    }

    /**
     * Returns a copy with another shard size.
     *
     * @param n samples per shard
     * @return the options
     */
    public Options withShardSamples(int n) {
      return new Options(outputDir, samples, seed, minSide, maxSide, generationUnit, concurrency, defectRate, latency, n, dryRun, loopbackHttp, listener);
    }

    /**
     * Returns a copy in dry-run mode or not.
     *
     * @param d whether to plan only
     * @return the options
     */
    public Options withDryRun(boolean d) {
      return new Options(outputDir, samples, seed, minSide, maxSide, generationUnit, concurrency, defectRate, latency, shardSamples, d, loopbackHttp, listener);
    }

    /**
     * Returns a copy that calls the services over loopback HTTP or in process.
     *
     * @param http whether to go through {@link OpenAiStandInServer} and {@link OpenAiClient}
     * @return the options
     */
    public Options withLoopbackHttp(boolean http) {
      return new Options(outputDir, samples, seed, minSide, maxSide, generationUnit, concurrency, defectRate, latency, shardSamples, dryRun, http, listener);
    }

    /**
     * Returns a copy with a progress listener.
     *
     * @param l the listener
     * @return the options
     */
    public Options withListener(CurationListener l) {
      return new Options(outputDir, samples, seed, minSide, maxSide, generationUnit, concurrency, defectRate, latency, shardSamples, dryRun, loopbackHttp, l);
    }
  }

  /**
   * Returns the synthetic world the options describe.
   *
   * @param options the options
   * @return the world
   */
  public static SyntheticWorld world(Options options) {
    return SyntheticWorld.builder(options.seed()).optSides(options.minSide(), options.maxSide()).build();
  }

  /**
   * Returns the stand-in service behaviour the options describe.
   *
   * @param options the options
   * @return the stand-in options
   */
  public static StandInOptions standIn(Options options) {
    return StandInOptions.exact().withDefectRate(options.defectRate()).withLatency(options.latency());
  }

  /**
   * Returns the curation settings of a synthetic run (shard prefix {@code synthetic}, the OmniEdit policy, short
   * retries), so another engine can curate the same samples the same way.
   *
   * @param options the options
   * @return the settings
   */
  public static CurationConfig config(Options options) {
    return CurationConfig.builder(options.outputDir())
        .optShardPrefix("synthetic")
        .optShardLimits(options.shardSamples(), 1L << 30)
        .optConcurrency(options.concurrency())
        .optGenerationUnit(options.generationUnit())
        .optPolicy(SyntheticSample.DATASET, SourcePolicy.omniEdit())
        .optChatModel(StandInOptions.DEFAULT_MODEL)
        .optRetries(3, Duration.ofMillis(10))
        .optDryRun(options.dryRun())
        .optListener(options.listener())
        .build();
  }

  /**
   * Curates {@code options.samples()} synthetic samples into shards.
   *
   * @param options the options
   * @return the run's summary
   */
  public static CurationSummary run(Options options) {
    SyntheticWorld world = world(options);
    Services services = services(world, options);
    CurationConfig config = config(options);
    if (!options.loopbackHttp() || options.dryRun()) {
      return new CurationPipeline(config, services.edit(), services.generation(), services.chat())
          .run(inputs(world, options.samples()), options.samples());
    }
    // The stand-in gets its own dummy key, never the environment's (a real OPENAI_API_KEY has no business here).
    try (OpenAiStandInServer server =
            standInServer(services).optRequireBearerToken(OpenAiStandInServer.STAND_IN_KEY).build();
        OpenAiClient client = server.clientBuilder()
            .optMaxConcurrency(options.concurrency())
            .optRequestTimeout(Duration.ofSeconds(60))
            .build()) {
      return new CurationPipeline(config, client, client, client).run(inputs(world, options.samples()), options.samples());
    }
  }

  /**
   * The three stand-in services of a synthetic run.
   *
   * @param edit the image-edit service
   * @param generation the text-to-image service
   * @param chat the chat service
   */
  public record Services(ImageEditService edit, ImageGenerationService generation, ChatService chat) {}

  /**
   * Returns the stand-in services over the world with every one of the run's inputs drawn first, for engines whose
   * workers see the inputs in any order (a service edits only scenes its world has drawn).
   *
   * @param options the options
   * @return the services
   */
  public static Services drawnServices(Options options) {
    SyntheticWorld world = world(options);
    for (int i = 0; i < options.samples(); i++) {
      world.sample(i);
    }
    return services(world, options);
  }

  /**
   * Returns a loopback server builder serving the services (add a bearer token, faults, then build).
   *
   * @param services the services
   * @return the builder
   */
  public static OpenAiStandInServer.Builder standInServer(Services services) {
    return OpenAiStandInServer.builder()
        .optEditService(services.edit())
        .optGenerationService(services.generation())
        .optChatService(services.chat());
  }

  private static Services services(SyntheticWorld world, Options options) {
    StandInOptions s = standIn(options);
    return new Services(SyntheticServices.editService(world, s), SyntheticServices.generationService(world, s),
        SyntheticServices.chatService(world, s));
  }

  private static Iterator<EditTriplet> inputs(SyntheticWorld world, int n) {
    return new Iterator<>() {
      private int i;

      @Override
      public boolean hasNext() {
        return i < n;
      }

      @Override
      public EditTriplet next() {
        if (i >= n) {
          throw new NoSuchElementException();
        }
        return world.sample(i++).toTriplet();
      }
    };
  }
}
