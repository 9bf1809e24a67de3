package io.gptedit.spark;

import java.io.Serializable;

/**
 * Makes an executor's services. Each executor calls it once per distinct factory and budget and shares the result
 * between all its tasks (one client per executor). Implementations must be serializable values with
 * {@code equals} (records are), hold no secrets (read API keys from the executor's environment) and be cheap to
 * ship.
 *
 * @since 0.1
 */
@FunctionalInterface
public interface ServicesFactory extends Serializable {
  /**
   * Creates the services.
   *
   * @param budget this executor's share of the rate budget
   * @return the services
   */
  CurationServices create(ClientBudget budget);
}
