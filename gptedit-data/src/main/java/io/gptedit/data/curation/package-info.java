/**
 * The curation pipeline ({@link io.gptedit.data.curation.CurationPipeline}): pad, regenerate, crop, check, rewrite
 * and compose triplets into shards, resumable through a DuckDB {@link io.gptedit.data.curation.Ledger}, configured by
 * {@link io.gptedit.data.curation.CurationConfig} and priced by {@link io.gptedit.data.curation.CostModel}.
 *
 * @since 0.1
 */
package io.gptedit.data.curation;
