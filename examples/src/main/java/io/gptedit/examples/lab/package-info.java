/**
 * The CPU edit lab ({@code gptedit lab}): synthetic triplets, shards, a tiny Kontext-style editor fine-tuned with
 * {@code io.gptedit.models.train.FineTuner}, held-out edits scored with the synthetic world's exact metrics, and a
 * report folder. See {@code docs/lab.md}.
 */
package io.gptedit.examples.lab;
