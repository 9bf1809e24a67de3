/**
 * The multimodal-LLM path of the paper's editor: SigLIP's vision tower and Qwen2.5-VL (image preprocessing,
 * prompt, vision tower and language model) in the transformers checkpoint names, with their image processors
 * reproduced exactly.
 */
package io.gptedit.models.mllm;
