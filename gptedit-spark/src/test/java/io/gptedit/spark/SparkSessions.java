package io.gptedit.spark;

import org.apache.spark.sql.SparkSession;

/** The tests' local Spark session: 2 task threads, up to 4 attempts per task, no UI, few shuffle partitions. */
final class SparkSessions {
  private SparkSessions() {}

  static SparkSession local() {
    return SparkSession.builder()
        .master("local[2,4]")
        .appName("gptedit-spark-test")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .getOrCreate();
  }
}
