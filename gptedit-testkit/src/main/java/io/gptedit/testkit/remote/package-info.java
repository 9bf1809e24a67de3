/**
 * A loopback stand-in for OpenAI-compatible services: {@link io.gptedit.testkit.remote.OpenAiStandInServer} serves
 * the image edit, image generation and chat completion endpoints on {@code 127.0.0.1} from in-process services and
 * injects faults from a {@link io.gptedit.testkit.remote.FaultPlan}, so the real
 * {@link io.gptedit.core.remote.OpenAiClient} can be tested (and demonstrated) without a network or a key.
 */
package io.gptedit.testkit.remote;
