/**
 * Remote generative services: image edit, image generation and chat completions.
 *
 * <p>The service interfaces ({@link io.gptedit.core.remote.ImageEditService},
 * {@link io.gptedit.core.remote.ImageGenerationService}, {@link io.gptedit.core.remote.ChatService}) are what the
 * curation pipeline and the judges call; the OpenAI-compatible HTTP implementation lives in this package too,
 * and an in-process implementation (the synthetic world's exact editor) lives in {@code gptedit-data}.
 */
package io.gptedit.core.remote;
