/**
 * Remote generative services: image edit, image generation and chat completions.
 *
 * <p>The service interfaces ({@link io.gptedit.core.remote.ImageEditService},
 * {@link io.gptedit.core.remote.ImageGenerationService}, {@link io.gptedit.core.remote.ChatService}) are what the
 * curation pipeline and the judges call. {@link io.gptedit.core.remote.OpenAiClient} implements all three against
 * any OpenAI-compatible HTTP API (retries, concurrency and rate limits, a {@link io.gptedit.core.remote.UsageMeter});
 * {@link io.gptedit.core.remote.OpenAiStandInServer} serves the same endpoints on loopback from in-process
 * implementations and injects faults from a {@link io.gptedit.core.remote.FaultPlan}, for examples and tests. An
 * in-process implementation (the synthetic world's exact editor) lives in {@code gptedit-data}.
 */
package io.gptedit.core.remote;
