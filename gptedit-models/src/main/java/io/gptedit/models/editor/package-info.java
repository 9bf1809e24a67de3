/**
 * The three conditioning paradigms of the paper's model study behind core's {@code ImageEditor}: token-wise
 * Kontext, token-wise Flux with SigLIP features, and channel-wise SD3 InstructPix2Pix.
 */
package io.gptedit.models.editor;
