/**
 * Text encoders and the paper's text-encoder fusions: the T5 encoder, tokenizers, and the connectors that turn
 * T5 and MLLM hidden states into the denoiser's text tokens.
 */
package io.gptedit.models.text;
