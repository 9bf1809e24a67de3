/**
 * gptedit-models' entry point: {@link io.gptedit.models.Editors} opens any editor (a fine-tuned checkpoint, an
 * exported ONNX editor, an image-edit API) from one string. The subpackages hold the parts: {@code editor} (the
 * three conditioning paradigms and the one sampling loop), {@code train} (fine-tuning and checkpoints), {@code flux},
 * {@code sd3}, {@code vae}, {@code text}, {@code conditioning}, {@code codec}, {@code flow}, {@code nn},
 * {@code safetensors} and {@code onnx}.
 *
 * @since 0.1
 */
package io.gptedit.models;
