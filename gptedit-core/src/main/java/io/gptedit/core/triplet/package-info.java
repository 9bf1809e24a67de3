/**
 * Edit triplets: an input image, an instruction and the edited image, with their metadata.
 */
package io.gptedit.core.triplet;
