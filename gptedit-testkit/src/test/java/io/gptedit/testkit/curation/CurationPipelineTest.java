package io.gptedit.testkit.curation;

import static org.assertj.core.api.Assertions.assertThat;

import io.gptedit.core.instruction.ComplexityLevel;
import io.gptedit.core.instruction.InstructionKind;
import io.gptedit.core.remote.GeneratedImage;
import io.gptedit.core.remote.ImageEditService;
import io.gptedit.core.remote.RemoteException;
import io.gptedit.core.triplet.EditTriplet;
import io.gptedit.data.curation.CurationConfig;
import io.gptedit.data.curation.CurationPipeline;
import io.gptedit.data.curation.CurationProgress;
import io.gptedit.data.curation.CurationSummary;
import io.gptedit.data.curation.Ledger;
import io.gptedit.data.curation.LedgerEntry;
import io.gptedit.data.curation.SourcePolicy;
import io.gptedit.data.curation.Stages;
import io.gptedit.data.shards.ErrorPolicy;
import io.gptedit.data.shards.ShardReader;
import io.gptedit.data.shards.ShardSample;
import io.gptedit.data.synthetic.EditMetrics;
import io.gptedit.data.synthetic.SyntheticSample;
import io.gptedit.data.synthetic.SyntheticWorld;
import io.gptedit.testkit.synthetic.StandInOptions;
import io.gptedit.testkit.synthetic.SyntheticCuration;
import io.gptedit.testkit.synthetic.SyntheticServices;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CurationPipelineTest {
  @TempDir Path tmp;

  static SyntheticCuration.Options small(Path dir, int n) {
    return SyntheticCuration.Options.defaults(dir, n).withSizes(24, 72, 32).withShardSamples(7)
        .withService(4, 0.2, Duration.ZERO);
  }

  static List<ShardSample> readAll(Path dir) {
    List<ShardSample> out = new ArrayList<>();
    try (ShardReader r = ShardReader.openDirectory(dir, ErrorPolicy.STOP)) {
      r.forEachRemaining(out::add);
    }
    return out;
  }

  @Test
  void fullRunWritesOrRejectsEveryUnitAndShardsHoldExactlyTheWrittenKeys() {
    List<CurationProgress> progress = new ArrayList<>();
    CurationSummary s = SyntheticCuration.run(small(tmp, 60).withListener(progress::add));
    assertThat(s.units()).isEqualTo(60 + s.c3Units());
    assertThat(s.c3Units()).isBetween(18L, 42L);
    assertThat(s.written() + s.rejected() + s.failed()).isEqualTo(s.units());
    assertThat(s.failed()).isZero();
    assertThat(s.rejected()).isPositive();
    assertThat(s.rejectsByReason().keySet()).containsAnyOf("RESIDUAL_PADDING", "PADDING_MASK_MISMATCH");
    assertThat(s.spendUsd()).isPositive();
    assertThat(progress).hasSize((int) s.units());
    assertThat(progress.get(progress.size() - 1).done()).isEqualTo(s.units());

    List<ShardSample> samples = readAll(tmp);
    Set<String> keys = new HashSet<>();
    samples.forEach(x -> assertThat(keys.add(x.key())).as("duplicate %s", x.key()).isTrue());
    assertThat((long) keys.size()).isEqualTo(s.written());
    try (Ledger ledger = Ledger.open(tmp.resolve("ledger.duckdb"))) {
      assertThat((long) ledger.entries().size()).isEqualTo(s.units());
      Set<String> writtenInLedger = new HashSet<>();
      ledger.entries().stream().filter(e -> e.status().equals(LedgerEntry.WRITTEN)).forEach(e -> writtenInLedger.add(e.key()));
      assertThat(writtenInLedger).isEqualTo(keys);
      assertThat(ledger.shards()).hasSize(s.shards().size());
      assertThat(ledger.rejectsByReason()).isEqualTo(s.rejectsByReason());
      ShardSample firstSample = samples.get(0);
      LedgerEntry one = ledger.entry(firstSample.key()).orElseThrow();
      assertThat(one.status()).isEqualTo(LedgerEntry.WRITTEN);
      assertThat(one.shard()).contains(firstSample.shard());
      assertThat(one.costUsd()).isPositive();
      assertThat(ledger.entry("no-such-key")).isEmpty();
    }
    long rewrites = samples.stream().filter(x -> x.metadata().instructionKind() == InstructionKind.REWRITE).count();
    long complex = samples.stream().filter(x -> x.key().endsWith("-c3")).count();
    assertThat(rewrites).isPositive();
    assertThat(complex).isPositive();
    samples.stream().filter(x -> x.key().endsWith("-c3")).forEach(x -> {
      assertThat(x.metadata().instruction().complexity()).contains(ComplexityLevel.C3);
      assertThat(x.metadata().instruction().atomicSteps()).hasSize(3);
    });
  }

  @Test
  void curatedOutputsMatchTheExactTargetsAndCarryTheGeometry() {
    CurationSummary s = SyntheticCuration.run(small(tmp, 30).withService(2, 0.0, Duration.ZERO));
    assertThat(s.rejected()).isZero();
    SyntheticWorld world = SyntheticWorld.builder(0).optSides(24, 72).build();
    for (ShardSample x : readAll(tmp)) {
      if (x.key().endsWith("-c3") || x.metadata().instructionKind() == InstructionKind.REWRITE) {
        continue;
      }
      SyntheticSample truth = world.sample(Long.parseLong(x.metadata().sourceId().orElseThrow()));
      EditTriplet t = x.toTriplet();
      assertThat(t.input()).isEqualTo(truth.input());
      assertThat(EditMetrics.instructionFollowing(t.edited(), truth.target(), truth.mask(), 80)).isGreaterThan(0.6);
      assertThat(EditMetrics.identityPreservation(t.edited(), truth.input(), truth.mask(), 80)).isGreaterThan(0.6);
      assertThat(x.metadata().padCrop()).isPresent();
      assertThat(x.metadata().generationResolution()).isPresent();
      assertThat(x.metadata().cropBox()).isPresent();
      assertThat(x.metadata().quality().orElseThrow().accepted()).isTrue();
    }
  }

  @Test
  void secondRunDoesNoWorkAndDryRunCountsWithoutWriting() throws IOException {
    CurationSummary first = SyntheticCuration.run(small(tmp, 25));
    byte[] before = listing(tmp);
    CurationSummary again = SyntheticCuration.run(small(tmp, 25));
    assertThat(again.nothingToDo()).isTrue();
    assertThat(again.skipped()).isEqualTo(first.units());
    assertThat(listing(tmp)).isEqualTo(before);

    Path fresh = tmp.resolve("fresh");
    CurationSummary plan = SyntheticCuration.run(small(fresh, 25).withDryRun(true));
    assertThat(plan.dryRun()).isTrue();
    assertThat(plan.units()).isEqualTo(first.units());
    assertThat(plan.c3Units()).isEqualTo(first.c3Units());
    assertThat(plan.rewrites()).isEqualTo(first.rewrites());
    assertThat(Files.exists(fresh)).isFalse();
    CurationSummary planDone = SyntheticCuration.run(small(tmp, 25).withDryRun(true));
    assertThat(planDone.skipped()).isEqualTo(first.units());
  }

  private static byte[] listing(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return String.join("\n", s.filter(p -> p.toString().endsWith(".tar"))
          .map(p -> p.getFileName() + ":" + p.toFile().length()).sorted().toList()).getBytes();
    }
  }

  @Test
  void recoveryDeletesTemporariesAdoptsUnrecordedShardsAndRedoesMissingOnes() throws IOException {
    CurationSummary first = SyntheticCuration.run(small(tmp, 30));
    List<String> shards = first.shards();
    assertThat(shards.size()).isGreaterThanOrEqualTo(3);
    Path ledgerFile = tmp.resolve("ledger.duckdb");
    // (a) a shard renamed but never recorded: forget it in the ledger, keep the file.
    // (b) a recorded shard whose file vanished: delete the file.
    // (c) a stray temporary shard from a killed writer.
    String adopted = shards.get(0);
    String vanished = shards.get(1);
    int vanishedCount;
    try (Ledger ledger = Ledger.open(ledgerFile)) {
      ledger.forgetShard(adopted);
      vanishedCount = (int) ledger.entries().stream().filter(e -> e.shard().orElse("").equals(vanished)).count();
    }
    Files.delete(tmp.resolve(vanished));
    Files.write(tmp.resolve("synthetic-000099.tar.tmp"), new byte[] {1, 2, 3});

    CurationSummary second = SyntheticCuration.run(small(tmp, 30));
    assertThat(second.written()).isEqualTo(vanishedCount);
    assertThat(second.rejected()).isZero();
    assertThat(Files.exists(tmp.resolve("synthetic-000099.tar.tmp"))).isFalse();

    Set<String> keys = new HashSet<>();
    for (ShardSample x : readAll(tmp)) {
      assertThat(keys.add(x.key())).as("duplicate %s", x.key()).isTrue();
    }
    try (Ledger ledger = Ledger.open(ledgerFile)) {
      Map<String, Long> counts = ledger.countsByStatus();
      assertThat(counts.get("written")).isEqualTo((long) keys.size());
      assertThat(counts.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(first.units());
      assertThat(ledger.shards()).contains(adopted).doesNotContain(vanished);
    }
  }

  @Test
  void transientErrorsAreRetriedAndFinalErrorsRecorded() {
    SyntheticWorld world = SyntheticWorld.builder(1).optSides(24, 48).build();
    ImageEditService exact = SyntheticServices.editService(world, StandInOptions.exact());
    Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
    ImageEditService flaky = req -> {
      int n = calls.computeIfAbsent(req.prompt(), k -> new AtomicInteger()).incrementAndGet();
      if (req.prompt().toLowerCase().contains("remove")) {
        throw new RemoteException(RemoteException.Kind.CONTENT_POLICY, 400, "refused", null);
      }
      if (req.prompt().toLowerCase().contains("background")) {
        throw new RemoteException(RemoteException.Kind.SERVER_ERROR, 503, "always down", null);
      }
      if (n == 1) {
        throw new RemoteException(RemoteException.Kind.RATE_LIMITED, 429, "slow down", null);
      }
      GeneratedImage g = exact.edit(req);
      return g;
    };
    CurationConfig config = CurationConfig.builder(tmp).optGenerationUnit(32).optShardLimits(10, 1 << 30)
        .optRetries(3, Duration.ofMillis(1)).build();
    List<EditTriplet> inputs = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      SyntheticSample s = world.sample(i);
      if (s.program().size() == 1) {
        inputs.add(s.toTriplet());
      }
    }
    CurationSummary s = new CurationPipeline(config, flaky, null, null).run(inputs.iterator(), inputs.size());
    Map<String, Long> expectedFailures = new HashMap<>();
    long removes = inputs.stream().filter(t -> t.instruction().text().toLowerCase().contains("remove")).count();
    long backgrounds = inputs.stream().filter(t -> t.instruction().text().toLowerCase().contains("background")).count();
    if (removes > 0) {
      expectedFailures.put("CONTENT_POLICY", removes);
    }
    if (backgrounds > 0) {
      expectedFailures.put("SERVER_ERROR", backgrounds);
    }
    assertThat(s.failuresByError()).isEqualTo(expectedFailures);
    assertThat(s.written()).isEqualTo(inputs.size() - removes - backgrounds);
    try (Ledger ledger = Ledger.open(tmp.resolve("ledger.duckdb"))) {
      for (LedgerEntry e : ledger.entries()) {
        switch (e.status()) {
          case LedgerEntry.WRITTEN -> assertThat(e.attempts()).isEqualTo(2);
          case LedgerEntry.FAILED -> {
            if (e.reason().orElseThrow().equals("CONTENT_POLICY")) {
              assertThat(e.finalOutcome()).isTrue();
              assertThat(e.attempts()).isEqualTo(1);
            } else {
              assertThat(e.finalOutcome()).isFalse();
              assertThat(e.attempts()).isEqualTo(3);
            }
          }
          default -> throw new AssertionError(e);
        }
      }
    }
    // A later run with a healthy service finishes the transient failures only.
    CurationSummary again = new CurationPipeline(config, exact, null, null).run(inputs.iterator(), inputs.size());
    assertThat(again.written()).isEqualTo(backgrounds);
    assertThat(again.skipped()).isEqualTo(inputs.size() - backgrounds);
    try (Ledger ledger = Ledger.open(tmp.resolve("ledger.duckdb"))) {
      ledger.entries().stream().filter(e -> e.status().equals(LedgerEntry.WRITTEN) && e.attempts() == 4)
          .forEach(e -> assertThat(e.finalOutcome()).isTrue());
      assertThat(ledger.entries().stream().filter(e -> e.attempts() == 4).count()).isEqualTo(backgrounds);
    }
  }

  @Test
  void generateRecipeMakesNewInputsFromTextAtAHashedPresetAndEditsThemExactly() {
    SyntheticWorld world = SyntheticWorld.builder(4).optSides(24, 48).build();
    StandInOptions so = StandInOptions.exact();
    CurationConfig config = CurationConfig.builder(tmp).optGenerationUnit(32)
        .optPolicy(SyntheticSample.DATASET, SourcePolicy.generate()).build();
    List<SyntheticSample> samples = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      samples.add(world.sample(i));
    }
    CurationSummary s = new CurationPipeline(config, SyntheticServices.editService(world, so), SyntheticServices.generationService(world, so), null)
        .run(samples.stream().map(SyntheticSample::toTriplet).iterator(), samples.size());
    assertThat(s.written()).isEqualTo(12);
    Map<String, SyntheticSample> byId = new HashMap<>();
    samples.forEach(x -> byId.put(x.id(), x));
    for (ShardSample x : readAll(tmp)) {
      SyntheticSample truth = byId.get(x.key());
      io.gptedit.core.geometry.AspectPreset preset = Stages.presetFor(x.key());
      EditTriplet t = x.toTriplet();
      assertThat(t.input().width()).isEqualTo(preset.ratioWidth() * 32);
      assertThat(t.input().height()).isEqualTo(preset.ratioHeight() * 32);
      // The generated input is the described scene laid out at the new size (its own native size).
      io.gptedit.data.synthetic.Scene generated =
          io.gptedit.data.synthetic.SceneText.parseScene(truth.scene().describe(), t.input().width(), t.input().height());
      io.gptedit.data.synthetic.Scene target = generated;
      for (io.gptedit.data.synthetic.EditOp op : truth.program()) {
        target = op.apply(target);
      }
      assertThat(t.input()).isEqualTo(generated.render());
      assertThat(t.edited()).isEqualTo(target.render());
      assertThat(x.metadata().padCrop().orElseThrow().padding().isNone()).isTrue();
    }
  }

  @Test
  void ultraEditRecipeRegeneratesAtTwiceTheSizeAndResizesBack() {
    // UltraEdit: 512x512 inputs regenerated at 1024x1024 and brought back to 512x512; here 64 -> 128 -> 64.
    SyntheticWorld world = SyntheticWorld.builder(6).optSides(64, 64).optExactRatioShare(1).build();
    StandInOptions so = StandInOptions.exact();
    CurationConfig config = CurationConfig.builder(tmp).optGenerationUnit(128)
        .optPolicy(SyntheticSample.DATASET, SourcePolicy.regenerateOnly()).build();
    List<SyntheticSample> squares = new ArrayList<>();
    for (int i = 0; squares.size() < 8; i++) {
      SyntheticSample x = world.sample(i);
      if (x.input().width() == 64 && x.input().height() == 64) {
        squares.add(x);
      }
    }
    CurationSummary s = new CurationPipeline(config, SyntheticServices.editService(world, so), null, null)
        .run(squares.stream().map(SyntheticSample::toTriplet).iterator(), squares.size());
    assertThat(s.written()).isEqualTo(8);
    Map<String, SyntheticSample> byId = new HashMap<>();
    squares.forEach(x -> byId.put(x.id(), x));
    for (ShardSample x : readAll(tmp)) {
      SyntheticSample truth = byId.get(x.key());
      assertThat(x.metadata().generationResolution()).contains(new io.gptedit.core.geometry.Size(128, 128));
      EditTriplet t = x.toTriplet();
      assertThat(t.edited().width()).isEqualTo(64);
      assertThat(EditMetrics.instructionFollowing(t.edited(), truth.target(), truth.mask(), 48)).isGreaterThan(0.8);
      assertThat(EditMetrics.identityPreservation(t.edited(), truth.input(), truth.mask(), 48)).isGreaterThan(0.8);
    }
  }

  @Test
  void selectionByHashIsStableAndNearTheFraction() {
    int hits = 0;
    for (int i = 0; i < 20_000; i++) {
      if (Stages.selected("omniedit_addition_" + i, "rewrite", 0.10)) {
        hits++;
      }
    }
    assertThat(hits).isBetween(1800, 2200);
    assertThat(Stages.selected("x", "rewrite", 0.1)).isEqualTo(Stages.selected("x", "rewrite", 0.1));
    assertThat(Stages.selected("x", "rewrite", 0)).isFalse();
    assertThat(Stages.selected("x", "rewrite", 1)).isTrue();
  }
}
