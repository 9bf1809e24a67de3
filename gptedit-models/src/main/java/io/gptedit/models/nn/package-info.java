/**
 * Building blocks shared by the model families: explicit parameter maps loaded by name, and the functional
 * layers (linear, norms, activations, timestep embedding, RoPE, chunked attention) that the models compose.
 */
package io.gptedit.models.nn;
