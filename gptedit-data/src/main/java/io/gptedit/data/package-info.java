/**
 * gptedit-data. See the module's README section for what lives here.
 */
package io.gptedit.data;
