package io.gptedit.data.curation;

import static java.util.Objects.requireNonNull;

import io.gptedit.core.triplet.EditTriplet;

/**
 * What happened to one work unit.
 *
 * @since 0.1
 */
public sealed interface Outcome {
  /**
   * Returns the unit's key.
   *
   * @return the key
   */
  String key();

  /**
   * Returns how many attempts the unit took.
   *
   * @return at least 1
   */
  int attempts();

  /**
   * Returns the spend of the unit's service calls.
   *
   * @return USD
   */
  double costUsd();

  /**
   * Accepted: to be written to a shard. The members are encoded by the worker that produced the sample, so PNG
   * encoding runs in parallel and the writing thread only appends bytes.
   *
   * @param key the key
   * @param triplet the curated triplet
   * @param inputPng the input image as PNG
   * @param editedPng the edited image as PNG
   * @param json the metadata as JSON
   * @param attempts attempts taken
   * @param costUsd spend
   */
  record Accepted(String key, EditTriplet triplet, byte[] inputPng, byte[] editedPng, byte[] json, int attempts,
      double costUsd) implements Outcome {
    /** Validates. */
    public Accepted {
      requireNonNull(key, "key");
      requireNonNull(triplet, "triplet");
      requireNonNull(inputPng, "inputPng");
      requireNonNull(editedPng, "editedPng");
      requireNonNull(json, "json");
    }
  }

  /**
   * Rejected by a quality check.
   *
   * @param key the key
   * @param reason the first reason's code, such as {@code RESIDUAL_PADDING}
   * @param detail every reason, in words
   * @param attempts attempts taken
   * @param costUsd spend
   */
  record Rejected(String key, String reason, String detail, int attempts, double costUsd) implements Outcome {
    /** Validates. */
    public Rejected {
      requireNonNull(key, "key");
      requireNonNull(reason, "reason");
      requireNonNull(detail, "detail");
    }
  }

  /**
   * Failed with an error.
   *
   * @param key the key
   * @param error the error class, such as {@code BAD_REQUEST} or {@code TIMEOUT}
   * @param detail the message
   * @param retryable whether a later run should try again (transient errors); non-retryable failures are final
   * @param attempts attempts taken
   * @param costUsd spend
   */
  record Failed(String key, String error, String detail, boolean retryable, int attempts, double costUsd)
      implements Outcome {
    /** Validates. */
    public Failed {
      requireNonNull(key, "key");
      requireNonNull(error, "error");
      requireNonNull(detail, "detail");
    }
  }
}
