package io.gptedit.spark;

import io.gptedit.core.triplet.EditTriplet;
import java.io.Serializable;
import org.apache.spark.sql.Row;

/**
 * Turns one row of the input dataset into the input sample, on the executor.
 *
 * @since 0.1
 */
@FunctionalInterface
public interface InputDecoder extends Serializable {
  /**
   * Decodes a row.
   *
   * @param row a row of the input dataset
   * @return the sample; the same sample for the same row on every call (a retried task decodes it again)
   */
  EditTriplet decode(Row row);
}
