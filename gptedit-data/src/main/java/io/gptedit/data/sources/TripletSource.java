package io.gptedit.data.sources;

import io.gptedit.core.triplet.EditTriplet;
import java.util.Iterator;
import java.util.List;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * A lazy source of edit triplets holding one sample in memory at a time. Samples that cannot be delivered are
 * skipped and reported in {@link #problems()}; only a source that cannot be read at all throws.
 *
 * @since 0.1
 */
public interface TripletSource extends Iterator<EditTriplet>, AutoCloseable {
  /**
   * Returns the samples skipped so far, with the reason.
   *
   * @return the problems, in the order met
   */
  List<SourceProblem> problems();

  /**
   * Returns the remaining triplets as a sequential stream; closing it closes the source.
   *
   * @return the stream
   */
  default Stream<EditTriplet> stream() {
    return StreamSupport.stream(Spliterators.spliteratorUnknownSize(this, Spliterator.ORDERED | Spliterator.NONNULL), false)
        .onClose(this::close);
  }

  /** Releases files and connections. */
  @Override
  void close();
}
