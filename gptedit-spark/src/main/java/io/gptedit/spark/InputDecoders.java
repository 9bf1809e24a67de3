package io.gptedit.spark;

import io.gptedit.core.triplet.EditTriplet;
import io.gptedit.data.synthetic.SyntheticWorld;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Input datasets and their decoders.
 *
 * @since 0.1
 */
public final class InputDecoders {
  private InputDecoders() {}

  /**
   * Returns the indices {@code 0..n-1} as a dataset with one {@code id} column, in {@code partitions} ranges.
   *
   * @param spark the session
   * @param n how many
   * @param partitions how many partitions (tasks)
   * @return the dataset
   */
  public static Dataset<Row> indices(SparkSession spark, long n, int partitions) {
    return spark.range(0, n, 1, partitions).toDF();
  }

  /**
   * Decodes an index row ({@link #indices}) into the synthetic world's sample of that index, the same sample the
   * local synthetic curation uses.
   *
   * @param seed the world's seed
   * @param minSide the smallest long side
   * @param maxSide the largest long side
   * @return the decoder
   */
  public static InputDecoder synthetic(long seed, int minSide, int maxSide) {
    return new Synthetic(seed, minSide, maxSide);
  }

  private record Synthetic(long seed, int minSide, int maxSide) implements InputDecoder {
    private static final long serialVersionUID = 1L;

    @Override
    public EditTriplet decode(Row row) {
      SyntheticWorld world = SyntheticWorld.builder(seed).optSides(minSide, maxSide).build();
      return world.sample(row.getLong(0)).toTriplet();
    }
  }
}
