package io.gptedit.data.sources;

import static java.util.Objects.requireNonNull;

import io.gptedit.core.geometry.Size;
import io.gptedit.core.image.ImageCodec;
import io.gptedit.core.image.ImageDecodeException;
import io.gptedit.core.image.RgbImage;
import io.gptedit.core.instruction.EditInstruction;
import io.gptedit.core.metadata.SampleMetadata;
import io.gptedit.core.triplet.EditTriplet;
import java.util.Optional;

/**
 * How a Hugging Face parquet file's columns map to a triplet. Image columns may be {@code struct<bytes, path>}
 * (the datasets library's image feature) or plain {@code BLOB}; the instruction column may be text or a list of
 * texts (the first is used).
 *
 * @param dataset the dataset name recorded in the metadata
 * @param idColumn the sample id column; empty to number rows
 * @param inputImage the input image column
 * @param outputImage the edited image column
 * @param instruction the instruction column
 * @param task the task column, if any
 * @param description the input caption column, if any
 * @since 0.1
 */
public record ParquetColumns(
    String dataset,
    Optional<String> idColumn,
    String inputImage,
    String outputImage,
    String instruction,
    Optional<String> task,
    Optional<String> description) {
  /** Validates. */
  public ParquetColumns {
    requireNonNull(dataset, "dataset");
    requireNonNull(idColumn, "idColumn");
    requireNonNull(inputImage, "inputImage");
    requireNonNull(outputImage, "outputImage");
    requireNonNull(instruction, "instruction");
    requireNonNull(task, "task");
    requireNonNull(description, "description");
  }

  /**
   * Returns the mapping of {@code TIGER-Lab/OmniEdit-Filtered-1.2M}: {@code omni_edit_id}, {@code src_img},
   * {@code edited_img}, {@code edited_prompt_list}, {@code task}.
   *
   * @return the mapping
   */
  public static ParquetColumns omniEdit() {
    return new ParquetColumns("omniedit", Optional.of("omni_edit_id"), "src_img", "edited_img", "edited_prompt_list",
        Optional.of("task"), Optional.empty());
  }

  /**
   * Returns the mapping of {@code UCSC-VLAA/HQ-Edit}: {@code input_image}, {@code output_image}, {@code edit},
   * {@code input} (the input's description); rows are numbered.
   *
   * @return the mapping
   */
  public static ParquetColumns hqEdit() {
    return new ParquetColumns("hqedit", Optional.empty(), "input_image", "output_image", "edit", Optional.empty(),
        Optional.of("input"));
  }

  /**
   * Returns the mapping of {@code BleachNick/UltraEdit}: {@code idx}, {@code source_image}, {@code edited_image},
   * {@code edit_prompt}, {@code source_caption}.
   *
   * @return the mapping
   */
  public static ParquetColumns ultraEdit() {
    return new ParquetColumns("ultraedit", Optional.of("idx"), "source_image", "edited_image", "edit_prompt",
        Optional.empty(), Optional.of("source_caption"));
  }

  /**
   * Returns the mapping of a dataset by name: {@code omniedit}, {@code hqedit} or {@code ultraedit}.
   *
   * @param dataset the dataset's name
   * @return the mapping
   * @throws SourceException naming the dataset if its columns are not known
   */
  public static ParquetColumns forDataset(String dataset) {
    return switch (String.valueOf(dataset)) {
      case "omniedit" -> omniEdit();
      case "hqedit" -> hqEdit();
      case "ultraedit" -> ultraEdit();
      default -> throw new SourceException(
          "parquet sources know the columns of omniedit, hqedit and ultraedit, not '" + dataset + "'", null);
    };
  }

  /**
   * Returns the sample id of a row: {@code <dataset>_<id column>}, or {@code <dataset>_<file stem>_<row>} when the
   * mapping has no id column (or the row's id is null), with characters outside {@code [A-Za-z0-9_/-]} replaced.
   *
   * @param rawId the id column's value, or null
   * @param fileStem the parquet file's name without {@code .parquet}
   * @param fileRow the row's number in its file
   * @return the id
   */
  public String sampleId(String rawId, String fileStem, long fileRow) {
    return (dataset + "_" + (rawId != null ? rawId : fileStem + "_" + fileRow)).replaceAll("[^A-Za-z0-9_/-]", "-");
  }

  /**
   * Makes the input sample of one row (the columns already extracted: image bytes, the first instruction). Used by
   * {@link ParquetSource} and by engines that read the parquet themselves (gptedit-spark).
   *
   * @param id the sample id ({@link #sampleId})
   * @param rawId the id column's value, or null
   * @param fileRow the row's number in its file
   * @param where the file and row, for messages
   * @param in the input image's bytes, or null
   * @param out the edited image's bytes, or null
   * @param instruction the instruction, or null
   * @param task the task, or null
   * @param description the input's description, or null
   * @return the sample
   * @throws SourceException naming the column when the row is not a sample (no image bytes, an empty instruction,
   *     an undecodable image); the caller adds the file, row and id
   */
  public EditTriplet toTriplet(String id, String rawId, long fileRow, String where, byte[] in, byte[] out,
      String instruction, String task, String description) {
    if (in == null || out == null) {
      throw new SourceException((in == null ? inputImage : outputImage) + " has no image bytes", null);
    }
    if (instruction == null || instruction.isBlank()) {
      throw new SourceException("column " + this.instruction + " is empty", null);
    }
    RgbImage input;
    RgbImage output;
    try {
      input = ImageCodec.decode(in, where + " " + inputImage);
      output = ImageCodec.decode(out, where + " " + outputImage);
    } catch (ImageDecodeException e) {
      throw new SourceException(e.getMessage(), e);
    }
    EditInstruction ins = EditInstruction.of(instruction.strip());
    SampleMetadata.Builder b = SampleMetadata.builder(id, dataset, ins, new Size(input.width(), input.height()))
        .optSourceId(rawId != null ? rawId : Long.toString(fileRow));
    Optional.ofNullable(task).ifPresent(b::optTask);
    Optional.ofNullable(description).filter(d -> !d.isBlank()).ifPresent(b::optInputDescription);
    return new EditTriplet(id, input, ins, output, b.build());
  }
}
