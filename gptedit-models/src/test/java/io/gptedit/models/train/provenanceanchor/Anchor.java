package io.gptedit.models.train.provenanceanchor;

/** A class with no dependencies, loaded from a test jar with a manifest by {@code RunProvenanceTest}. */
public final class Anchor {
  private Anchor() {}
}
