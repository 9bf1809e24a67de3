package io.gptedit.data.sources;

import io.gptedit.core.GpteditException;
import io.gptedit.core.files.FilePattern;
import java.nio.file.Path;

/**
 * Opens a {@link TripletSource} from one string, the way {@code gptedit curate --source SPEC} does:
 *
 * <ul>
 *   <li>{@code release:DIR}: the extracted GPT-Image-Edit-1.5M release ({@link ReleaseSource#metadataFolders});
 *   <li>{@code archives:DIR}: the release's {@code *.tar.gz.partNNN} files, streamed ({@link ReleaseSource#archives});
 *   <li>{@code parquet:FILE|GLOB|DIR}: OmniEdit, HQ-Edit or UltraEdit parquet files, read as one source in file-name
 *       order with the dataset's columns ({@link ParquetColumns#forDataset});
 *   <li>{@code folder:DIR}: a folder of {@code <key>.input.png}, {@code <key>.edited.png}, {@code <key>.txt}
 *       ({@link FolderSource}).
 * </ul>
 *
 * <pre>{@code
 * try (TripletSource source = TripletSources.open("parquet:omniedit/data/train-*.parquet", "omniedit")) {
 *   summary = pipeline.run(source, 0);
 * }
 * }</pre>
 *
 * @since 0.1
 */
public final class TripletSources {
  private TripletSources() {}

  /**
   * Opens a source.
   *
   * @param spec {@code release:DIR}, {@code archives:DIR}, {@code parquet:FILE|GLOB|DIR} or {@code folder:DIR}
   * @param dataset the dataset's name ({@code omniedit}, {@code hqedit}, {@code ultraedit}, ...): the parquet columns
   *     and a folder source's dataset field
   * @return the source; close it
   * @throws GpteditException if the spec is malformed, or naming the file or folder that cannot be read
   */
  public static TripletSource open(String spec, String dataset) {
    int colon = spec == null ? -1 : spec.indexOf(':');
    if (colon <= 0 || colon == spec.length() - 1) {
      throw new SourceException(
          "a source spec is release:DIR, archives:DIR, parquet:FILE|GLOB|DIR or folder:DIR, got '" + spec + "'", null);
    }
    Path path = Path.of(spec.substring(colon + 1));
    return switch (spec.substring(0, colon)) {
      case "release" -> ReleaseSource.metadataFolders(path);
      case "archives" -> ReleaseSource.archives(path, ReleaseSource.DEFAULT_ARCHIVE_BUFFER_BYTES);
      case "parquet" -> ParquetSource.open(FilePattern.expand(path, ".parquet"), ParquetColumns.forDataset(dataset));
      case "folder" -> FolderSource.open(path, dataset);
      default -> throw new SourceException("a source spec's kind is release, archives, parquet or folder, got '"
          + spec.substring(0, colon) + "' in '" + spec + "'", null);
    };
  }
}
