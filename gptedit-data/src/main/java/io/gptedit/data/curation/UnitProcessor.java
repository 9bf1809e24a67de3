package io.gptedit.data.curation;

import static java.util.Objects.requireNonNull;

import io.gptedit.core.geometry.AspectPreset;
import io.gptedit.core.geometry.PadCropPlan;
import io.gptedit.core.geometry.Size;
import io.gptedit.core.image.ImageCodec;
import io.gptedit.core.image.RgbImage;
import io.gptedit.core.instruction.EditInstruction;
import io.gptedit.core.metadata.MetadataCodec;
import io.gptedit.core.metadata.SampleMetadata;
import io.gptedit.core.quality.QualityVerdict;
import io.gptedit.core.quality.RejectReason;
import io.gptedit.core.remote.ChatService;
import io.gptedit.core.remote.GeneratedImage;
import io.gptedit.core.remote.ImageEditService;
import io.gptedit.core.remote.ImageGenerationService;
import io.gptedit.core.remote.RemoteException;
import io.gptedit.core.triplet.EditTriplet;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The per-sample work of curation, shared by every engine: splitting an input into {@link WorkUnit}s and
 * running one unit through the {@link Stages} with retries to an {@link Outcome}. {@link CurationPipeline} runs
 * it on a thread pool with a DuckDB ledger; other engines (such as the gptedit-spark module) run the same
 * code on their workers, so the samples and outcomes agree whatever runs them.
 *
 * @since 0.1
 */
public final class UnitProcessor {
  /** The metadata extension that carries a curated sample's unit kind, recipe, attempts and cost. */
  public static final String CURATION_FIELD = "curation";

  private final CurationConfig config;
  private final ImageEditService edit;
  private final ImageGenerationService generation;
  private final ChatService chat;

  /**
   * Creates a processor.
   *
   * @param config the settings (policies, generation sizes, checks, prices, retries)
   * @param edit the image-edit service
   * @param generation the text-to-image service (needed only for the {@link Recipe#GENERATE} recipe), or null
   * @param chat the chat service (needed only for rewrites and C3), or null
   */
  public UnitProcessor(
      CurationConfig config, ImageEditService edit, ImageGenerationService generation, ChatService chat) {
    this.config = requireNonNull(config, "config");
    this.edit = requireNonNull(edit, "edit");
    this.generation = generation;
    this.chat = chat;
  }

  /**
   * Returns an input's work units: its base unit and, when its dataset's policy selects it (by hashing the id with
   * salt {@code c3}), its C3 unit; the base unit is marked for rewriting when selected with salt {@code rewrite}.
   *
   * @param t the input
   * @return one or two units, base first
   */
  public List<WorkUnit> unitsOf(EditTriplet t) {
    SourcePolicy p = config.policy(t.metadata().dataset());
    List<WorkUnit> out = new ArrayList<>(2);
    out.add(new WorkUnit(t.id(), false, Stages.selected(t.id(), "rewrite", p.rewriteFraction()), p, t));
    if (Stages.selected(t.id(), "c3", p.c3Fraction())) {
      out.add(new WorkUnit(t.id() + "-c3", true, false, p, t));
    }
    return out;
  }


  /**
   * Processes one unit: (for the generate recipe) a new input from text, C3 composition, pad, regenerate, the
   * quality checks, crop back, rewrite, and the PNG and JSON encoding of an accepted sample; retryable service
   * errors are retried up to {@link CurationConfig#maxAttempts()} with exponential backoff. Thread-safe.
   *
   * @param u the unit
   * @return its outcome; never throws for a service or stage error (those become {@link Outcome.Failed})
   */
  public Outcome process(WorkUnit u) {
    double[] cost = {0};
    int attempts = 0;
    while (true) {
      attempts++;
      try {
        return attempt(u, attempts, cost);
      } catch (RemoteException e) {
        if (!e.retryable() || attempts >= config.maxAttempts()) {
          return new Outcome.Failed(u.key(), e.kind().name(), String.valueOf(e.getMessage()), e.retryable(), attempts, cost[0]);
        }
        sleepBackoff(attempts);
      } catch (RuntimeException e) {
        return new Outcome.Failed(u.key(), e.getClass().getSimpleName(), String.valueOf(e.getMessage()), true, attempts, cost[0]);
      }
    }
  }

  private void sleepBackoff(int attempt) {
    long base = config.retryBackoff().toMillis() << Math.min(attempt - 1, 10);
    long jitter = base == 0 ? 0 : ThreadLocalRandom.current().nextLong(base / 2 + 1);
    try {
      Thread.sleep(base + jitter);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RemoteException(RemoteException.Kind.TIMEOUT, 0, "interrupted during backoff", e);
    }
  }

  private Outcome attempt(WorkUnit u, int attempts, double[] cost) {
    EditTriplet src = u.source();
    RgbImage input = src.input();
    CostModel prices = config.costModel();
    if (u.policy().recipe() == Recipe.GENERATE) {
      String description = src.metadata().inputDescription().orElseThrow(
          () -> new RemoteException(RemoteException.Kind.BAD_REQUEST, 0, "sample has no input_description to generate from", null));
      AspectPreset preset = Stages.presetFor(src.id());
      GeneratedImage g = Stages.generateInput(requireService(generation, "generation"), description, config.generationSize(preset));
      cost[0] += prices.image(g.usage());
      input = g.image();
    }
    EditInstruction instruction = src.instruction();
    Optional<String> rewriter = Optional.empty();
    if (u.c3()) {
      instruction = Stages.composeC3(requireService(chat, "chat"), config.chatModel(), input);
      rewriter = Optional.of(config.chatModel());
    }
    Stages.Padded padded = Stages.pad(input);
    PadCropPlan plan = padded.plan();
    Size gen = config.generationSize(plan.preset());
    GeneratedImage g = Stages.regenerate(edit, padded, instruction.text(), gen);
    cost[0] += prices.image(g.usage());
    QualityVerdict verdict = Stages.check(g.image(), plan, gen, config.residualCheck(), config.maskCheck());
    if (!verdict.accepted()) {
      StringBuilder detail = new StringBuilder();
      for (RejectReason r : verdict.reasons()) {
        detail.append(detail.length() == 0 ? "" : "; ").append(r.detail());
      }
      return new Outcome.Rejected(u.key(), verdict.reasons().get(0).code().name(), detail.toString(), attempts, cost[0]);
    }
    RgbImage output = Stages.crop(g.image(), plan);
    if (u.rewrite()) {
      instruction = Stages.rewrite(requireService(chat, "chat"), config.chatModel(), instruction, input, output);
      rewriter = Optional.of(config.chatModel());
    }
    SampleMetadata srcMeta = src.metadata();
    SampleMetadata.Builder b = SampleMetadata.builder(u.key(), srcMeta.dataset(), instruction, plan.original())
        .optPadCrop(plan)
        .optGeneratedAt(gen)
        .optGeneratorModel(g.model())
        .optQuality(verdict)
        .optSourceId(srcMeta.sourceId().orElse(src.id()));
    srcMeta.task().ifPresent(b::optTask);
    rewriter.ifPresent(b::optRewriterModel);
    srcMeta.inputDescription().ifPresent(b::optInputDescription);
    srcMeta.extensions().forEach((k, v) -> {
      if (!k.equals(CURATION_FIELD)) {
        b.optExtension(k, v);
      }
    });
    b.optExtension(CURATION_FIELD, String.format(Locale.ROOT,
        "{\"unit\":\"%s\",\"recipe\":\"%s\",\"attempts\":%d,\"cost_usd\":%.6f}",
        u.c3() ? "c3" : "base", u.policy().recipe().name().toLowerCase(Locale.ROOT), attempts, cost[0]));
    EditTriplet out = new EditTriplet(u.key(), input, instruction, output, b.build());
    return new Outcome.Accepted(u.key(), out, ImageCodec.encodePng(out.input()), ImageCodec.encodePng(out.edited()),
        MetadataCodec.toJsonBytes(out.metadata()), attempts, cost[0]);
  }

  private static <T> T requireService(T service, String what) {
    if (service == null) {
      throw new IllegalStateException("this recipe needs a " + what + " service, but none was given");
    }
    return service;
  }
}
