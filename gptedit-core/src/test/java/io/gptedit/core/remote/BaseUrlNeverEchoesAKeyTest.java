package io.gptedit.core.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.google.common.base.Throwables;
import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A base URL the builder refuses never reaches a message: not through the scheme check, not through a
 * {@link java.net.URISyntaxException}, not through a later failure of a URL it should not have accepted.
 */
class BaseUrlNeverEchoesAKeyTest {
  private static final String KEY = "sk-proj-URLLEAK-0123456789abcdef";

  private static void assertRefusedWithoutTheKey(Throwable t) {
    assertThat(t).isInstanceOf(IllegalArgumentException.class);
    assertThat(Throwables.getStackTraceAsString(t)).doesNotContain(KEY).doesNotContain("URLLEAK");
  }

  @Test
  void credentialsInANonHttpUrlAreNotEchoedByTheSchemeCheck() {
    // Before: the scheme check ran first and quoted the URL ("... got ftp://u:KEY@host/v1").
    Throwable t = catchThrowable(() -> OpenAiClient.builder().optBaseUrl("ftp://u:" + KEY + "@host/v1"));
    assertRefusedWithoutTheKey(t);
    assertThat(t).hasMessageContaining("credentials");
    assertRefusedWithoutTheKey(catchThrowable(() -> OpenAiClient.builder().optBaseUrl(URI.create("ftp://u:" + KEY + "@host/v1"))));
  }

  @Test
  void aUrlWithASpaceDoesNotLeakItsQueryKeyThroughTheSyntaxError() {
    // Before: URI.create's IllegalArgumentException and its URISyntaxException cause quoted the whole text.
    Throwable t = catchThrowable(() -> OpenAiClient.builder().optBaseUrl("https://api.example.com/v1 x?k=" + KEY));
    assertRefusedWithoutTheKey(t);
    assertThat(t).hasMessageContaining("not a valid URL").hasMessageContaining("index 26").hasNoCause();
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {
      "https://api.example.com/v1?api-key=KEY",
      "https://api.example.com/v1#KEY",
      "http:KEY",
      "mailto:KEY@example.com",
      "KEY://api.example.com/v1",
      "/v1/KEY"})
  void aUrlTheClientCannotUseIsRefusedWithoutQuotingIt(String template) {
    // Before: a query, a fragment or a missing host was accepted, then quoted by toString and by the HTTP layer.
    String url = template.replace("KEY", KEY);
    assertRefusedWithoutTheKey(catchThrowable(() -> OpenAiClient.builder().optBaseUrl(url)));
  }

  @Test
  void aGoodBaseUrlIsKeptAsGiven() {
    try (OpenAiClient client =
        OpenAiClient.builder()
            .optBaseUrl("http://127.0.0.1:8080/v1/")
            .optEnvironment(Map.of("OPENAI_API_KEY", KEY)::get)
            .build()) {
      assertThat(client.baseUrl()).isEqualTo(URI.create("http://127.0.0.1:8080/v1/"));
      assertThat(client.toString()).contains("baseUrl=http://127.0.0.1:8080/v1/").doesNotContain(KEY);
    }
  }
}
