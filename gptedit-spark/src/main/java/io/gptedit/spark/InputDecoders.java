package io.gptedit.spark;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.lit;

import io.gptedit.core.files.FilePattern;
import io.gptedit.core.triplet.EditTriplet;
import io.gptedit.data.sources.FolderSource;
import io.gptedit.data.sources.ParquetColumns;
import io.gptedit.data.sources.ReleaseSource;
import io.gptedit.data.sources.SourceException;
import io.gptedit.data.sources.SourceProblem;
import io.gptedit.data.synthetic.SyntheticWorld;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.BinaryType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Input datasets and their decoders: the synthetic world's indices, and the sources the local curation reads
 * ({@link #open}): the release's metadata JSON, the source parquet files and folders. Each decoder runs the local
 * source's own per-record code, so both engines make the same sample of the same record; a record that code
 * rejects becomes a {@value InputDecoder#BAD_INPUT} outcome naming its file and field, and the job goes on.
 *
 * <p>The release and folder sources read files by path on the executors: the input must be on a file system every
 * executor mounts at the same path (as the output folder must be).
 *
 * @since 0.1
 */
public final class InputDecoders {
  private InputDecoders() {}

  /**
   * An input dataset with its decoder.
   *
   * @param rows the rows, one per source record
   * @param decoder turns a row into its sample
   */
  public record Input(Dataset<Row> rows, InputDecoder decoder) {
    /** Validates. */
    public Input {
      java.util.Objects.requireNonNull(rows, "rows");
      java.util.Objects.requireNonNull(decoder, "decoder");
    }
  }

  /**
   * Opens a source spec as {@code gptedit curate --source} reads it ({@link io.gptedit.data.sources.TripletSources}),
   * for Spark: {@code release:DIR} ({@link #releaseRows}), {@code parquet:FILE|GLOB|DIR} ({@link #parquetRows} of the
   * same files the local source reads, with the dataset's columns) or {@code folder:DIR} ({@link #folderRows}).
   * {@code archives:DIR} streams through one reader and is not split over tasks: extract it and read
   * {@code release:DIR}.
   *
   * @param spark the session
   * @param spec the source spec
   * @param dataset the dataset's name: the parquet columns and a folder's dataset field
   * @param partitions tasks for the release and folder sources (parquet splits by file and row group)
   * @return the rows and their decoder
   * @throws SourceException if the spec is malformed or names a kind Spark does not read, or naming the file or
   *     folder that cannot be listed
   */
  public static Input open(SparkSession spark, String spec, String dataset, int partitions) {
    int colon = spec == null ? -1 : spec.indexOf(':');
    if (colon <= 0 || colon == spec.length() - 1) {
      throw new SourceException("a Spark source spec is release:DIR, parquet:FILE|GLOB|DIR or folder:DIR, got '"
          + spec + "'", null);
    }
    Path path = Path.of(spec.substring(colon + 1));
    return switch (spec.substring(0, colon)) {
      case "release" -> new Input(releaseRows(spark, path, partitions), release(path));
      case "parquet" -> {
        ParquetColumns columns = ParquetColumns.forDataset(dataset);
        String[] files = FilePattern.expand(path, ".parquet").stream().map(Path::toString).toArray(String[]::new);
        yield new Input(parquetRows(spark, columns, files), parquet(columns));
      }
      case "folder" -> new Input(folderRows(spark, path, partitions), folder(path, dataset));
      case "archives" -> throw new SourceException("archives:DIR streams through one reader and does not split over"
          + " Spark tasks; extract the archives and read release:DIR, or curate them with the local engine", null);
      default -> throw new SourceException("a Spark source spec's kind is release, parquet or folder, got '"
          + spec.substring(0, colon) + "' in '" + spec + "'", null);
    };
  }

  /** The columns of {@link #releaseRows}. */
  private static final StructType RELEASE = new StructType()
      .add("file", DataTypes.StringType, false)
      .add("index", DataTypes.IntegerType, false)
      .add("id", DataTypes.StringType, true)
      .add("record", DataTypes.StringType, true)
      .add("error", DataTypes.StringType, true);

  /**
   * Reads the release's metadata-folder layout ({@code <root>/<source>/<task>/metadata/*.json}, the files
   * {@link ReleaseSource#metadataFolders} reads) as a dataset of one row per record, spread over {@code partitions}
   * tasks by file and index: {@code file, index, id, record, error}. The files are listed on the driver and parsed
   * on the executors; images are read only by the decoder ({@link #release}). A metadata file that is not a JSON
   * array of records gives one row with its {@code error} (its records after the fault are not read).
   *
   * @param spark the session
   * @param root the release root
   * @param partitions tasks, at least 1
   * @return the rows
   * @throws SourceException if the root cannot be listed or holds no metadata file
   */
  public static Dataset<Row> releaseRows(SparkSession spark, Path root, int partitions) {
    if (partitions < 1) {
      throw new IllegalArgumentException("partitions must be >= 1, got " + partitions);
    }
    List<String> files = ReleaseSource.metadataFiles(root.toAbsolutePath()).stream().map(Path::toString).toList();
    var records = JavaSparkContext.fromSparkContext(spark.sparkContext())
        .parallelize(files, files.size())
        .flatMap(InputDecoders::releaseRecords);
    return spark.createDataFrame(records, RELEASE)
        .repartition(partitions, col("file"), col("index"))
        .sortWithinPartitions("file", "index");
  }

  /** The rows of one metadata file; a file that cannot be read ends in a row with its error. */
  private static Iterator<Row> releaseRecords(String file) {
    List<Row> out = new ArrayList<>();
    try (Stream<ReleaseSource.Record> records = ReleaseSource.records(Path.of(file))) {
      records.forEach(r -> out.add(RowFactory.create(file, r.index(), r.id(), r.json(), null)));
    } catch (SourceException e) {
      out.add(RowFactory.create(file, out.size(), null, null, String.valueOf(e.getMessage())));
    }
    return out.iterator();
  }

  /**
   * Decodes a row of {@link #releaseRows} into the sample {@link ReleaseSource#metadataFolders} makes of its record
   * (both call {@link ReleaseSource#decode}).
   *
   * @param root the release root the rows were listed under
   * @return the decoder
   */
  public static InputDecoder release(Path root) {
    return new Release(root.toAbsolutePath().toString());
  }

  private record Release(String root) implements InputDecoder {
    private static final long serialVersionUID = 1L;

    @Override
    public EditTriplet decode(Row row) {
      Path file = Path.of(row.getString(0));
      if (!row.isNullAt(4)) {
        throw new SourceException(new SourceProblem(file.toString(), "?", row.getString(4)), null);
      }
      return ReleaseSource.decode(Path.of(root), file,
          new ReleaseSource.Record(row.getInt(1), row.isNullAt(2) ? null : row.getString(2), row.getString(3)));
    }

    @Override
    public String keyOf(Row row) {
      return row.isNullAt(2) ? null : row.getString(2);
    }
  }

  /**
   * Lists a folder's keys ({@link FolderSource#keys}) on the driver as a dataset of one {@code key} column, in name
   * order, cut into {@code partitions} contiguous ranges.
   *
   * @param spark the session
   * @param dir the folder
   * @param partitions tasks, at least 1
   * @return the rows
   * @throws SourceException if the folder cannot be listed
   */
  public static Dataset<Row> folderRows(SparkSession spark, Path dir, int partitions) {
    if (partitions < 1) {
      throw new IllegalArgumentException("partitions must be >= 1, got " + partitions);
    }
    List<Row> keys = FolderSource.keys(dir).stream().map(k -> RowFactory.create(k)).toList();
    var rdd = JavaSparkContext.fromSparkContext(spark.sparkContext()).parallelize(keys, partitions);
    return spark.createDataFrame(rdd, new StructType().add("key", DataTypes.StringType, false));
  }

  /**
   * Decodes a row of {@link #folderRows} into the sample {@link FolderSource} makes of its key (both call
   * {@link FolderSource#read}). A key that cannot be read is keyed by itself in the outcome table.
   *
   * @param dir the folder
   * @param dataset the dataset name for samples described only by a {@code .txt}
   * @return the decoder
   */
  public static InputDecoder folder(Path dir, String dataset) {
    return new Folder(dir.toAbsolutePath().toString(), java.util.Objects.requireNonNull(dataset, "dataset"));
  }

  private record Folder(String dir, String dataset) implements InputDecoder {
    private static final long serialVersionUID = 1L;

    @Override
    public EditTriplet decode(Row row) {
      return FolderSource.read(Path.of(dir), dataset, row.getString(0));
    }

    @Override
    public String keyOf(Row row) {
      return row.getString(0);
    }
  }

  /**
   * Returns the indices {@code 0..n-1} as a dataset with one {@code id} column, in {@code partitions} ranges.
   *
   * @param spark the session
   * @param n how many
   * @param partitions how many partitions (tasks)
   * @return the dataset
   */
  public static Dataset<Row> indices(SparkSession spark, long n, int partitions) {
    return spark.range(0, n, 1, partitions).toDF();
  }

  /**
   * Decodes an index row ({@link #indices}) into the synthetic world's sample of that index, the same sample the
   * local synthetic curation uses.
   *
   * @param seed the world's seed
   * @param minSide the smallest long side
   * @param maxSide the largest long side
   * @return the decoder
   */
  public static InputDecoder synthetic(long seed, int minSide, int maxSide) {
    return new Synthetic(seed, minSide, maxSide);
  }

  private record Synthetic(long seed, int minSide, int maxSide) implements InputDecoder {
    private static final long serialVersionUID = 1L;

    @Override
    public EditTriplet decode(Row row) {
      SyntheticWorld world = SyntheticWorld.builder(seed).optSides(minSide, maxSide).build();
      return world.sample(row.getLong(0)).toTriplet();
    }
  }

  /**
   * Reads source parquet files (a Hugging Face dataset's real columns, as {@link ParquetColumns} maps them) as a
   * Spark dataset, one row per source row, in the columns {@link #parquet} decodes: {@code raw_id, input, output,
   * instruction, task, description, file_name, row_index}. Image columns may be {@code struct<bytes, path>} or
   * binary; a list-valued instruction column gives its first element, as the local {@code ParquetSource} does.
   *
   * @param spark the session
   * @param columns the mapping
   * @param paths parquet files, folders or globs
   * @return the rows
   * @throws IllegalArgumentException if a mapped column is missing or an image column has another type
   */
  public static Dataset<Row> parquetRows(SparkSession spark, ParquetColumns columns, String... paths) {
    Dataset<Row> raw = spark.read().parquet(paths);
    StructType schema = raw.schema();
    return raw.select(
        columns.idColumn().map(c -> text(schema, c, false)).orElse(lit(null).cast(DataTypes.StringType)).as("raw_id"),
        image(schema, columns.inputImage()).as("input"),
        image(schema, columns.outputImage()).as("output"),
        text(schema, columns.instruction(), true).as("instruction"),
        optional(schema, columns.task()).as("task"),
        optional(schema, columns.description()).as("description"),
        col("_metadata.file_name").as("file_name"),
        col("_metadata.row_index").as("row_index"));
  }

  private static DataType typeOf(StructType schema, String column) {
    for (var f : schema.fields()) {
      if (f.name().equals(column)) {
        return f.dataType();
      }
    }
    throw new IllegalArgumentException("the parquet has no column '" + column + "'; columns found: "
        + String.join(", ", schema.fieldNames()));
  }

  private static Column image(StructType schema, String column) {
    DataType t = typeOf(schema, column);
    if (t instanceof BinaryType) {
      return col(column);
    }
    if (t instanceof StructType s && java.util.Arrays.asList(s.fieldNames()).contains("bytes")) {
      return col(column + ".bytes");
    }
    throw new IllegalArgumentException("image column " + column + " is " + t.simpleString()
        + ", expected struct<bytes, path> or binary");
  }

  private static Column text(StructType schema, String column, boolean firstOfList) {
    DataType t = typeOf(schema, column);
    if (firstOfList && t instanceof ArrayType) {
      return element_at(col(column), 1).cast(DataTypes.StringType);
    }
    return col(column).cast(DataTypes.StringType);
  }

  private static Column optional(StructType schema, Optional<String> column) {
    return column.map(c -> text(schema, c, false)).orElse(lit(null).cast(DataTypes.StringType));
  }

  /**
   * Decodes a row of {@link #parquetRows} into the same sample the local {@code ParquetSource} makes of it (same id,
   * metadata and images: both call {@link ParquetColumns#toTriplet}).
   *
   * @param columns the mapping
   * @return the decoder
   */
  public static InputDecoder parquet(ParquetColumns columns) {
    return new Parquet(columns.dataset(), columns.idColumn().orElse(null), columns.inputImage(), columns.outputImage(),
        columns.instruction(), columns.task().orElse(null), columns.description().orElse(null));
  }

  /** The mapping as plain strings ({@link ParquetColumns} holds {@code Optional}s, which do not serialize). */
  private record Parquet(String dataset, String idColumn, String inputImage, String outputImage, String instruction,
      String task, String description) implements InputDecoder {
    private static final long serialVersionUID = 1L;

    ParquetColumns columns() {
      return new ParquetColumns(dataset, Optional.ofNullable(idColumn), inputImage, outputImage, instruction,
          Optional.ofNullable(task), Optional.ofNullable(description));
    }

    @Override
    public EditTriplet decode(Row row) {
      String file = row.getString(6);
      long fileRow = row.getLong(7);
      String rawId = row.isNullAt(0) ? null : row.getString(0);
      String id = keyOf(row);
      return columns().toTriplet(id, rawId, fileRow, file + " row " + fileRow, bytes(row, 1), bytes(row, 2),
          row.isNullAt(3) ? null : row.getString(3), row.isNullAt(4) ? null : row.getString(4),
          row.isNullAt(5) ? null : row.getString(5));
    }

    @Override
    public String keyOf(Row row) {
      String stem = row.getString(6).replaceFirst("\\.parquet$", "");
      return columns().sampleId(row.isNullAt(0) ? null : row.getString(0), stem, row.getLong(7));
    }

    private static byte[] bytes(Row row, int i) {
      return row.isNullAt(i) ? null : (byte[]) row.get(i);
    }
  }
}
