/**
 * gptedit-models. See the module's README section for what lives here.
 */
package io.gptedit.models;
