/**
 * The one editing interface every editor implements, local or remote: {@link io.gptedit.core.editor.ImageEditor}
 * (an input image and an instruction in, the edited image out), its per-call {@link
 * io.gptedit.core.editor.EditOptions} (seed, steps, guidance) and {@link io.gptedit.core.editor.EditException}.
 *
 * @since 0.1
 */
package io.gptedit.core.editor;
