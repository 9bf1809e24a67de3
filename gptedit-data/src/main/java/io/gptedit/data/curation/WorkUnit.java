package io.gptedit.data.curation;

import static java.util.Objects.requireNonNull;

import io.gptedit.core.triplet.EditTriplet;

/**
 * One unit of curation work: an input sample's base unit (keyed by its id) or its C3 unit (keyed
 * {@code <id>-c3}). {@link UnitProcessor#unitsOf} makes them; any engine that runs curation processes them with
 * {@link UnitProcessor#process}.
 *
 * @param key the curated sample's key
 * @param c3 whether this is the C3 unit (three proposed atomic edits fused into one instruction)
 * @param rewrite whether the instruction is rewritten after the checks pass
 * @param policy the source dataset's policy
 * @param source the input sample
 * @since 0.1
 */
public record WorkUnit(String key, boolean c3, boolean rewrite, SourcePolicy policy, EditTriplet source) {
  /** Validates. */
  public WorkUnit {
    requireNonNull(key, "key");
    requireNonNull(policy, "policy");
    requireNonNull(source, "source");
  }
}
