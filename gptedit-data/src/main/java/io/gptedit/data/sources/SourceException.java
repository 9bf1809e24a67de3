package io.gptedit.data.sources;

import io.gptedit.core.GpteditException;
import java.io.Serial;
import java.util.Optional;

/**
 * A source as a whole cannot be read (missing root, unreadable file, columns that do not fit), or, carrying its
 * {@link #problem()}, one sample cannot (thrown by the per-record decoders the sources share with other engines:
 * {@link ReleaseSource#decode}, {@link FolderSource#read}).
 *
 * @since 0.1
 */
public final class SourceException extends GpteditException {
  @Serial private static final long serialVersionUID = 1L;

  /** The one sample's problem, or null. */
  private final SourceProblem problem;

  /**
   * Creates the exception.
   *
   * @param message what is wrong, naming the file
   * @param cause the underlying failure, or {@code null}
   */
  public SourceException(String message, Throwable cause) {
    super(message, cause);
    this.problem = null;
  }

  /**
   * Creates the exception for one sample a source could not deliver.
   *
   * @param problem the sample's problem; the message is its text
   * @param cause the underlying failure, or {@code null}
   */
  public SourceException(SourceProblem problem, Throwable cause) {
    super(problem.toString(), cause);
    this.problem = problem;
  }

  /**
   * Returns the sample's problem when one sample, not the whole source, could not be read.
   *
   * @return the problem, or empty
   */
  public Optional<SourceProblem> problem() {
    return Optional.ofNullable(problem);
  }
}
