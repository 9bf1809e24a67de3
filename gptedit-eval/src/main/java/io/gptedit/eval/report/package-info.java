/**
 * Reports (Markdown, CSV, JSON) with the paper's published rows beside ours, and the paper tables as data.
 */
package io.gptedit.eval.report;
