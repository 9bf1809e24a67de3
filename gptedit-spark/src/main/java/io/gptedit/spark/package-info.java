/**
 * Curation on Apache Spark: the same per-sample work as the local pipeline ({@link
 * io.gptedit.data.curation.UnitProcessor}) run over a Spark dataset, with one service client per executor under a
 * global requests-per-minute budget, WebDataset shards per partition under deterministic names and a parquet
 * outcome table keyed by sample id. Start with {@link io.gptedit.spark.SparkCuration}.
 */
package io.gptedit.spark;
