package io.gptedit.data.curation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gptedit.core.GpteditException;
import io.gptedit.core.image.ImageCodec;
import io.gptedit.core.image.ImageFormat;
import io.gptedit.core.triplet.EditTriplet;
import io.gptedit.data.synthetic.SyntheticWorld;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link ApiCuration} on a folder source; the HTTP runs are covered by examples' CurateRealSourceTest. */
class ApiCurationTest {
  private static final String NO_KEY = "GPTEDIT_TEST_KEY_THAT_IS_NOT_SET";

  @TempDir Path tmp;

  private Path folder(int n) throws Exception {
    SyntheticWorld world = SyntheticWorld.builder(11).optSides(48, 96).build();
    Path dir = Files.createDirectories(tmp.resolve("source"));
    for (int i = 0; i < n; i++) {
      EditTriplet t = world.sample(i).toTriplet();
      String key = String.format("k%03d", i);
      ImageCodec.write(t.input(), dir.resolve(key + ".input.png"), ImageFormat.PNG);
      ImageCodec.write(t.edited(), dir.resolve(key + ".edited.png"), ImageFormat.PNG);
      Files.writeString(dir.resolve(key + ".txt"), t.instruction().text());
    }
    return dir;
  }

  @Test
  void aDryRunPlansOneImageCallPerUnitPricesItAndNeedsNeitherAKeyNorALedger() throws Exception {
    Path src = folder(5);
    ApiCuration.Result r =
        ApiCuration.builder("folder:" + src, tmp.resolve("out")).optApiKeyEnvironmentVariable(NO_KEY)
            .optGenerationUnit(64).optDryRun(true).build().run();

    assertThat(r.plan()).isNotNull();
    // one image call per unit: each input, plus the C3 chains composed from them
    assertThat(r.plan().imageCalls()).isEqualTo(r.summary().units()).isGreaterThanOrEqualTo(5);
    assertThat(r.plan().maxUsd()).isPositive();
    assertThat(r.plan().pricesAsOf()).isEqualTo(CostModel.pricesAsOf());
    assertThat(r.problems()).isEmpty();
    assertThat(tmp.resolve("out/ledger.duckdb")).doesNotExist();
  }

  @Test
  void aRealRunAgainstARemoteApiWithoutTheKeyIsRefusedNamingTheVariableOnly() throws Exception {
    Path src = folder(1);
    ApiCuration c = ApiCuration.builder("folder:" + src, tmp.resolve("out")).optApiKeyEnvironmentVariable(NO_KEY)
        .optBaseUrl("https://api.example.invalid/v1").build();
    assertThatThrownBy(c::run).hasMessageContaining(NO_KEY);
  }

  @Test
  void anUnknownSourceKindIsATypedErrorNamingIt() {
    ApiCuration c = ApiCuration.builder("ftp:/nowhere", tmp.resolve("out")).optDryRun(true).build();
    assertThatThrownBy(c::run).isInstanceOf(GpteditException.class).hasMessageContaining("ftp:/nowhere");
  }
}
