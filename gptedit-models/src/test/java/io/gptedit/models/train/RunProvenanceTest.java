package io.gptedit.models.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gptedit.models.train.provenanceanchor.Anchor;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunProvenanceTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String A = "0123456789abcdef0123456789abcdef01234567";
  private static final String B = "89abcdef0123456789abcdef0123456789abcdef";

  @TempDir Path tmp;

  @BeforeAll
  static void offline() {
    System.setProperty("ai.djl.offline", "true");
  }

  @Test
  void theDataHashIsSha256OverNameLengthAndBytesOfEachFile() throws Exception {
    Path f = Files.writeString(tmp.resolve("shard-0.tar"), "abc");
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    sha.update(new byte[] {0, 0, 0, 0, 0, 0, 0, 11});
    sha.update("shard-0.tar".getBytes(StandardCharsets.UTF_8));
    sha.update(new byte[] {0, 0, 0, 0, 0, 0, 0, 3});
    sha.update("abc".getBytes(StandardCharsets.UTF_8));
    assertThat(RunProvenance.dataHash(List.of(f))).isEqualTo("sha256:" + HexFormat.of().formatHex(sha.digest()));
  }

  @Test
  void theDataHashIgnoresFolderAndOrderButSeesEveryChangeRenameAdditionAndRemoval() throws Exception {
    Path a = Files.createDirectories(tmp.resolve("a"));
    Path b = Files.createDirectories(tmp.resolve("b"));
    for (Path d : List.of(a, b)) {
      Files.writeString(d.resolve("s0.tar"), "first shard");
      Files.writeString(d.resolve("s1.tar"), "second shard");
    }
    String h = RunProvenance.dataHash(List.of(a.resolve("s0.tar"), a.resolve("s1.tar")));
    assertThat(h).matches("sha256:[0-9a-f]{64}");
    assertThat(RunProvenance.dataHash(List.of(b.resolve("s1.tar"), b.resolve("s0.tar")))).isEqualTo(h);
    assertThat(RunProvenance.dataHash(List.of(a.resolve("s0.tar")))).isNotEqualTo(h);
    Files.writeString(b.resolve("s1.tar"), "second shard!");
    assertThat(RunProvenance.dataHash(List.of(b.resolve("s0.tar"), b.resolve("s1.tar")))).isNotEqualTo(h);
    Files.writeString(b.resolve("s1.tar"), "second shard");
    Files.move(b.resolve("s1.tar"), b.resolve("s2.tar"));
    assertThat(RunProvenance.dataHash(List.of(b.resolve("s0.tar"), b.resolve("s2.tar")))).isNotEqualTo(h);
    // Moving bytes across the file boundary changes the hash although the concatenation is the same.
    Files.writeString(b.resolve("s0.tar"), "first shards");
    Files.writeString(b.resolve("s2.tar"), "econd shard");
    Files.move(b.resolve("s2.tar"), b.resolve("s1.tar"));
    assertThat(RunProvenance.dataHash(List.of(b.resolve("s0.tar"), b.resolve("s1.tar")))).isNotEqualTo(h);
    assertThatThrownBy(() -> RunProvenance.dataHash(List.of(tmp.resolve("missing.tar"))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("missing.tar");
  }

  @Test
  void theCommitIsReadFromALooseRefAPackedRefOrADetachedHead() throws Exception {
    Path repo = tmp.resolve("repo");
    Path git = Files.createDirectories(repo.resolve(".git/refs/heads"));
    Path deep = Files.createDirectories(repo.resolve("module/target/classes"));
    Files.writeString(repo.resolve(".git/HEAD"), "ref: refs/heads/main\n");
    Files.writeString(git.resolve("main"), A + "\n");
    assertThat(RunProvenance.gitCommit(deep)).contains(A);

    Files.delete(git.resolve("main"));
    Files.writeString(
        repo.resolve(".git/packed-refs"),
        "# pack-refs with: peeled fully-peeled sorted\n" + B + " refs/heads/main\n^" + A + "\n");
    assertThat(RunProvenance.gitCommit(deep)).contains(B);

    Files.writeString(repo.resolve(".git/HEAD"), A.toUpperCase(java.util.Locale.ROOT) + "\n");
    assertThat(RunProvenance.gitCommit(deep)).contains(A);

    Files.writeString(repo.resolve(".git/HEAD"), "ref: refs/heads/gone\n");
    assertThat(RunProvenance.gitCommit(deep)).isEmpty();
  }

  @Test
  void aWorktreeGitFileIsFollowedToItsGitDirAndCommonDir() throws Exception {
    Path main = tmp.resolve("main");
    Path wtGit = Files.createDirectories(main.resolve(".git/worktrees/feature"));
    Files.createDirectories(main.resolve(".git/refs/heads"));
    Files.writeString(main.resolve(".git/refs/heads/feature"), B + "\n");
    Files.writeString(wtGit.resolve("HEAD"), "ref: refs/heads/feature\n");
    Files.writeString(wtGit.resolve("commondir"), "../..\n");
    Path wt = Files.createDirectories(tmp.resolve("wt/sub"));
    Files.writeString(tmp.resolve("wt/.git"), "gitdir: " + wtGit + "\n");
    assertThat(RunProvenance.gitCommit(wt)).contains(B);
  }

  @Test
  void outsideAnyCheckoutTheCommitIsEmpty() throws Exception {
    Path plain = Files.createDirectories(tmp.resolve("plain/dir"));
    assumeTrue(RunProvenance.gitCommit(tmp).isEmpty(), "the temp folder is itself inside a git checkout");
    assertThat(RunProvenance.gitCommit(plain)).isEmpty();
  }

  @Test
  void theCodeVersionOfThisCheckoutIsWhatGitSays() throws Exception {
    String expected;
    try {
      Process p = new ProcessBuilder("git", "rev-parse", "HEAD").redirectErrorStream(true).start();
      expected = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      assumeTrue(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0, "not a git checkout: " + expected);
    } catch (IOException e) {
      assumeTrue(false, "no git binary: " + e.getMessage());
      return;
    }
    RunProvenance.CodeVersion v = RunProvenance.codeVersion();
    assertThat(v.gitCommit()).isEqualTo(expected);
    assertThat(v.version()).isEqualTo(RunProvenance.UNKNOWN); // classes from target/classes have no manifest
  }

  @Test
  void theVersionComesFromTheJarManifestsImplementationVersion() throws Exception {
    Path jar = tmp.resolve("anchor.jar");
    Manifest mf = new Manifest();
    mf.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    mf.getMainAttributes().put(Attributes.Name.IMPLEMENTATION_VERSION, "9.8.7-TEST");
    String entry = Anchor.class.getName().replace('.', '/') + ".class";
    try (OutputStream out = Files.newOutputStream(jar);
        JarOutputStream j = new JarOutputStream(out, mf);
        InputStream in = Anchor.class.getClassLoader().getResourceAsStream(entry)) {
      j.putNextEntry(new JarEntry(entry));
      in.transferTo(j);
      j.closeEntry();
    }
    try (URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, null)) {
      Class<?> anchor = loader.loadClass(Anchor.class.getName());
      assertThat(anchor.getClassLoader()).isSameAs(loader);
      RunProvenance.CodeVersion v = RunProvenance.codeVersion(anchor);
      assertThat(v.version()).isEqualTo("9.8.7-TEST");
      assertThat(v.gitCommit()).isEqualTo(RunProvenance.gitCommit(tmp).orElse(RunProvenance.UNKNOWN));
    }
  }

  @Test
  void theTrainerWritesProvenanceJsonBeforeTheFirstStepAndKeepsItInEveryCheckpoint() throws Exception {
    Path data = Files.writeString(tmp.resolve("train-000.tar"), "shard bytes");
    Path index = Files.writeString(tmp.resolve("index.json"), "{\"shards\":1}");
    Path run = tmp.resolve("run");
    boolean[] seenBeforeFirstStep = new boolean[1];
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray w = m.ones(new Shape(3));
      try (FineTuner t =
          FineTuner.builder()
              .setParameters(Map.of("w", w))
              .setOptimizer(AdamWOptimizer.defaults().create())
              .setSchedule(new LrSchedule.Constant(0.1, 0))
              .setSteps(2)
              .optSeed(11)
              .optRunDir(run)
              .optConfig("{\"lab\":{\"size\":16}}")
              .optProvenance(Map.of("note", "test run"))
              .optDataFiles(List.of(data, index))
              .build()) {
        t.train(
            ctx -> {
              if (ctx.step() == 0) {
                seenBeforeFirstStep[0] = Files.isRegularFile(run.resolve("provenance.json"));
              }
              return ctx.parameter("w").square().sum();
            });
      }
    }
    assertThat(seenBeforeFirstStep[0]).isTrue();
    assertThat(Files.exists(run.resolve("provenance.json.tmp"))).isFalse();
    JsonNode p = JSON.readTree(run.resolve("provenance.json").toFile());
    assertThat(p.path("seed").asLong()).isEqualTo(11);
    assertThat(p.path("start_step").asLong()).isZero();
    assertThat(p.path("config").path("lab").path("size").asInt()).isEqualTo(16);
    JsonNode facts = p.path("provenance");
    assertThat(facts.path("note").asText()).isEqualTo("test run");
    assertThat(facts.path("data_hash").asText()).isEqualTo(RunProvenance.dataHash(List.of(data, index)));
    RunProvenance.CodeVersion code = RunProvenance.codeVersion();
    assertThat(facts.path("code_version").asText()).isEqualTo(code.version());
    assertThat(facts.path("git_commit").asText()).isEqualTo(code.gitCommit());
    assertThat(facts.path("precision").asText()).isEqualTo("fp32");
    assertThat(facts.path("steps").asText()).isEqualTo("2");
    assertThat(facts.path("schedule").asText()).contains("Constant");
    assertThat(facts.path("optimizer").asText()).startsWith("AdamWOptimizer[beta1=0.9");
    JsonNode state = JSON.readTree(run.resolve("checkpoints/step-000000002/state.json").toFile());
    assertThat(state.path("provenance")).isEqualTo(facts);
    assertThat(state.path("config")).isEqualTo(p.path("config"));
    assertThat(state.has("loss_scaler")).isFalse();
  }

  @Test
  void aCallerGivenDataHashIsRecordedAndGivingBothKindsIsRefused() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray w = m.ones(new Shape(1));
      FineTuner.Builder b =
          FineTuner.builder()
              .setParameters(Map.of("w", w))
              .setOptimizer(AdamWOptimizer.defaults().create())
              .setSchedule(new LrSchedule.Constant(0.1, 0))
              .setSteps(1)
              .optDataHash("index:v3:abc");
      try (FineTuner t = b.build()) {
        assertThat(t.provenance()).containsEntry("data_hash", "index:v3:abc");
      }
      assertThatThrownBy(() -> b.optDataFiles(List.of(tmp)).build())
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("dataHash or dataFiles");
    }
  }
}
