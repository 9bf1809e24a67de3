/**
 * What the denoiser is conditioned on: text tokens and pooled vectors from the text-encoder fusions, MLLM hidden
 * states and vision features supplied from outside, and the conversions between images and tensors.
 */
package io.gptedit.models.conditioning;
