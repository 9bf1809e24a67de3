package io.gptedit.spark;

import java.io.Serializable;

/**
 * What one executor's service client may use: its share of the global requests-per-minute budget, and how many
 * requests it may have in flight.
 *
 * @param requestsPerMinute the executor's requests per minute; 0 for no limit
 * @param maxConcurrency requests in flight at once on the executor, at least 1
 * @since 0.1
 */
public record ClientBudget(int requestsPerMinute, int maxConcurrency) implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Validates. */
  public ClientBudget {
    if (requestsPerMinute < 0) {
      throw new IllegalArgumentException("requestsPerMinute must be >= 0, got " + requestsPerMinute);
    }
    if (maxConcurrency < 1) {
      throw new IllegalArgumentException("maxConcurrency must be >= 1, got " + maxConcurrency);
    }
  }

  /**
   * Splits a global budget evenly over the executors, rounding down so the executors together never exceed it.
   *
   * @param globalRequestsPerMinute the whole job's budget (the API account's limit); 0 for no limit
   * @param executors the executors sharing it, at least 1
   * @param maxConcurrency requests in flight per executor
   * @return one executor's budget
   * @throws IllegalArgumentException if the budget is smaller than the number of executors
   */
  public static ClientBudget share(int globalRequestsPerMinute, int executors, int maxConcurrency) {
    if (executors < 1) {
      throw new IllegalArgumentException("executors must be >= 1, got " + executors);
    }
    if (globalRequestsPerMinute < 0) {
      throw new IllegalArgumentException("requestsPerMinute must be >= 0, got " + globalRequestsPerMinute);
    }
    if (globalRequestsPerMinute > 0 && globalRequestsPerMinute < executors) {
      throw new IllegalArgumentException("a budget of " + globalRequestsPerMinute + " requests per minute cannot be"
          + " shared by " + executors + " executors (each needs at least 1)");
    }
    return new ClientBudget(globalRequestsPerMinute / executors, maxConcurrency);
  }
}
