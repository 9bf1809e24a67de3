package io.gptedit.testkit.curation;

import static org.assertj.core.api.Assertions.assertThat;

import io.gptedit.core.remote.Endpoint;
import io.gptedit.core.remote.OpenAiClient;
import io.gptedit.core.remote.RetryPolicy;
import io.gptedit.core.triplet.EditTriplet;
import io.gptedit.data.curation.CurationConfig;
import io.gptedit.data.curation.CurationPipeline;
import io.gptedit.data.curation.CurationSummary;
import io.gptedit.data.curation.SourcePolicy;
import io.gptedit.data.shards.ErrorPolicy;
import io.gptedit.data.shards.ShardReader;
import io.gptedit.data.shards.ShardSample;
import io.gptedit.data.synthetic.SyntheticSample;
import io.gptedit.data.synthetic.SyntheticWorld;
import io.gptedit.testkit.remote.FaultPlan;
import io.gptedit.testkit.remote.OpenAiStandInServer;
import io.gptedit.testkit.synthetic.StandInOptions;
import io.gptedit.testkit.synthetic.SyntheticCuration;
import io.gptedit.testkit.synthetic.SyntheticServices;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the pipeline through the real HTTP client against the loopback stand-in server, with injected faults. */
class LoopbackCurationTest {
  @TempDir Path tmp;

  private static Map<String, String> contents(Path dir) {
    Map<String, String> out = new TreeMap<>();
    try (ShardReader r = ShardReader.openDirectory(dir, ErrorPolicy.STOP)) {
      r.forEachRemaining((ShardSample s) -> out.put(s.key(), s.metadata().instruction().text() + "|"
          + java.util.Arrays.hashCode(s.editedPng())));
    }
    return out;
  }

  @Test
  void overHttpWithFaultsTheResultEqualsTheInProcessRun() {
    int n = 24;
    CurationSummary local = SyntheticCuration.run(
        SyntheticCuration.Options.defaults(tmp.resolve("local"), n).withSizes(24, 64, 32).withService(4, 0.2, Duration.ZERO));

    SyntheticWorld world = SyntheticWorld.builder(0).optSides(24, 64).build();
    StandInOptions so = StandInOptions.exact().withDefectRate(0.2);
    List<EditTriplet> inputs = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      SyntheticSample s = world.sample(i);
      inputs.add(s.toTriplet());
    }
    CurationConfig config = CurationConfig.builder(tmp.resolve("http")).optShardPrefix("synthetic").optShardLimits(500, 1L << 30)
        .optConcurrency(4).optGenerationUnit(32).optPolicy(SyntheticSample.DATASET, SourcePolicy.omniEdit())
        .optChatModel(StandInOptions.DEFAULT_MODEL).build();
    try (OpenAiStandInServer server = OpenAiStandInServer.builder().optEditService(SyntheticServices.editService(world, so))
            .optGenerationService(SyntheticServices.generationService(world, so)).optChatService(SyntheticServices.chatService(world, so))
            .optLatency(Duration.ofMillis(5)).build();
        OpenAiClient client = OpenAiClient.builder().optBaseUrl(server.baseUrl()).optApiKeyRequired(false)
            .optRetryPolicy(new RetryPolicy(5, Duration.ofMillis(5), Duration.ofMillis(50), 0.5)).optMaxConcurrency(4).build()) {
      server.faults().inject(Endpoint.IMAGE_EDITS, 3, FaultPlan.Fault.rateLimited("0"));
      server.faults().inject(Endpoint.IMAGE_EDITS, 2, FaultPlan.Fault.serverError(502));
      server.faults().inject(Endpoint.CHAT_COMPLETIONS, 2, FaultPlan.Fault.malformedJson());
      CurationSummary http = new CurationPipeline(config, client, client, client).run(inputs.iterator(), n);
      assertThat(http.written()).isEqualTo(local.written());
      assertThat(http.rejectsByReason()).isEqualTo(local.rejectsByReason());
      assertThat(http.failed()).isZero();
      assertThat(server.maxInFlight()).isLessThanOrEqualTo(4);
    }
    assertThat(contents(tmp.resolve("http"))).isEqualTo(contents(tmp.resolve("local")));
  }
}
