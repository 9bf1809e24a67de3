/**
 * LLM judges over {@link io.gptedit.core.remote.ChatService}: prompt templates (ours, or the official ones loaded
 * from a file), strict and tolerant reply parsers, retries that end in a counted failure, and a disk cache.
 */
package io.gptedit.eval.judge;
