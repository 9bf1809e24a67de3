package io.gptedit.testkit.loopback;

import static org.assertj.core.api.Assertions.assertThat;

import io.gptedit.testkit.remote.OpenAiStandInServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With a real-looking {@code OPENAI_API_KEY} in the environment, the offline demos (the CLI's {@code curate --http}
 * and {@code eval}) run in a child JVM whose HTTP client logs every request's headers
 * ({@code -Djdk.httpclient.HttpClient.log=headers}, the JDK's documented switch): the stand-in must see its own
 * dummy key and never the environment's.
 */
class StandInNeverGetsTheEnvironmentsKeyTest {
  private static final String SECRET = "sk-proj-ENVSECRET-0123456789abcdef";

  @TempDir Path tmp;

  private String runChild(String mode) throws IOException, InterruptedException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb = new ProcessBuilder(
        java, "-Xmx512m", "-Djdk.httpclient.HttpClient.log=headers", "-cp", System.getProperty("java.class.path"),
        StandInKeyChild.class.getName(), mode, tmp.resolve(mode).toString());
    pb.environment().put("OPENAI_API_KEY", SECRET);
    pb.redirectErrorStream(true);
    Path log = tmp.resolve(mode + ".log");
    pb.redirectOutput(log.toFile());
    Process p = pb.start();
    if (!p.waitFor(180, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("the " + mode + " child did not finish in 180 s");
    }
    String out = Files.readString(log, StandardCharsets.UTF_8);
    assertThat(p.exitValue()).as(out).isZero();
    return out;
  }

  private static void assertOnlyTheStandInKeyWasSent(String log) {
    // The positive check proves the headers were logged at all, so the negative one can fail.
    assertThat(log).contains("Authorization: Bearer " + OpenAiStandInServer.STAND_IN_KEY);
    assertThat(log).doesNotContain(SECRET).doesNotContain("ENVSECRET");
  }

  @Test
  void curateOverLoopbackHttpNeverSendsTheEnvironmentsKeyToTheStandIn() throws Exception {
    assertOnlyTheStandInKeyWasSent(runChild("curate"));
  }

  @Test
  void offlineEvalNeverSendsTheEnvironmentsKeyToTheStandIn() throws Exception {
    assertOnlyTheStandInKeyWasSent(runChild("eval"));
  }
}
