package io.gptedit.data.sources;

import io.gptedit.core.triplet.EditTriplet;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;

/** The iteration protocol shared by the sources: {@link #advance()} returns the next triplet or null at the end. */
abstract class AbstractSource implements TripletSource {
  private final List<SourceProblem> problems = new ArrayList<>();
  private EditTriplet next;
  private boolean done;

  /** Returns the next deliverable triplet, recording problems on the way; null at the end. */
  abstract EditTriplet advance();

  final void problem(String source, String id, String what) {
    problems.add(new SourceProblem(source, id, what));
  }

  final void problem(SourceProblem p) {
    problems.add(p);
  }

  @Override
  public final List<SourceProblem> problems() {
    return List.copyOf(problems);
  }

  @Override
  public final boolean hasNext() {
    if (next == null && !done) {
      next = advance();
      done = next == null;
    }
    return next != null;
  }

  @Override
  public final EditTriplet next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    EditTriplet t = next;
    next = null;
    return t;
  }
}
