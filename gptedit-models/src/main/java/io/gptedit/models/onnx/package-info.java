/**
 * ONNX Runtime inference of exported Kontext-style editors: {@link io.gptedit.models.onnx.OnnxEditor} runs the
 * denoiser, VAE and text encoder as ONNX graphs and everything else (schedule, noise, packing, position ids,
 * guidance, Euler sampling) with the same code as the DJL editors.
 */
package io.gptedit.models.onnx;
