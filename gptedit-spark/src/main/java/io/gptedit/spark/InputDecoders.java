package io.gptedit.spark;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.lit;

import io.gptedit.core.triplet.EditTriplet;
import io.gptedit.data.sources.ParquetColumns;
import io.gptedit.data.synthetic.SyntheticWorld;
import java.util.Optional;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.BinaryType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Input datasets and their decoders.
 *
 * @since 0.1
 */
public final class InputDecoders {
  private InputDecoders() {}

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
