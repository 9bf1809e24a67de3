package io.gptedit.core.remote;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LoopbackTest {
  @Test
  void onlyLocalHostsAreLoopback() {
    assertThat(OpenAiClient.isLoopback("http://localhost:8080/v1")).isTrue();
    assertThat(OpenAiClient.isLoopback("http://127.0.0.1/v1")).isTrue();
    assertThat(OpenAiClient.isLoopback("http://[::1]:80/v1")).isTrue();
    assertThat(OpenAiClient.isLoopback("https://api.openai.com/v1")).isFalse();
    assertThat(OpenAiClient.isLoopback("https://localhost.evil.com/v1")).isFalse();
    assertThat(OpenAiClient.isLoopback("not a url")).isFalse();
    assertThat(OpenAiClient.isLoopback(null)).isFalse();
  }
}
