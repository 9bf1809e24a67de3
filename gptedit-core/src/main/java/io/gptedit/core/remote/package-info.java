/**
 * Remote generative services: image edit, image generation and chat completions.
 *
 * <p>The service interfaces ({@link io.gptedit.core.remote.ImageEditService},
 * {@link io.gptedit.core.remote.ImageGenerationService}, {@link io.gptedit.core.remote.ChatService}) are what the
 * curation pipeline and the judges call. {@link io.gptedit.core.remote.OpenAiClient} implements all three against
 * any OpenAI-compatible HTTP API (retries, concurrency and rate limits, a {@link io.gptedit.core.remote.UsageMeter}).
 * Stand-ins for tests and offline demos (a loopback server with fault injection, the synthetic world's exact
 * services) are in the separate {@code gptedit-testkit} artifact.
 */
package io.gptedit.core.remote;
