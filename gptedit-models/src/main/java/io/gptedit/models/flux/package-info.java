/**
 * The Flux family: the FLUX.1 MMDiT transformer (double- and single-stream blocks), its presets, 2x2 latent
 * packing, and the Kontext token layout.
 */
package io.gptedit.models.flux;
