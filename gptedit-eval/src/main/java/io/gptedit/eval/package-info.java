/**
 * gptedit-eval. See the module's README section for what lives here.
 */
package io.gptedit.eval;
