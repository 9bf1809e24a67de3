package io.gptedit.data.sources;

import static java.util.Objects.requireNonNull;

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
}
