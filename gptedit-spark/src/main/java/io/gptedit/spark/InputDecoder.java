package io.gptedit.spark;

import io.gptedit.core.triplet.EditTriplet;
import java.io.Serializable;
import org.apache.spark.sql.Row;

/**
 * Turns one row of the input dataset into the input sample, on the executor. A row that is not a sample (no image
 * bytes, an empty instruction, an undecodable image) throws; its outcome is recorded as a final failure
 * {@value #BAD_INPUT} with the message, so every input row ends in exactly one outcome.
 *
 * @since 0.1
 */
@FunctionalInterface
public interface InputDecoder extends Serializable {
  /** The failure reason of a row the decoder rejected. */
  String BAD_INPUT = "BAD_INPUT";

  /**
   * Decodes a row.
   *
   * @param row a row of the input dataset
   * @return the sample; the same sample for the same row on every call (a retried task decodes it again)
   */
  EditTriplet decode(Row row);

  /**
   * Returns a row's sample id without decoding it, for the outcome of a row that cannot be decoded.
   *
   * @param row a row of the input dataset
   * @return the id, or null when only decoding can tell (the row is then keyed by partition and position)
   */
  default String keyOf(Row row) {
    return null;
  }
}
