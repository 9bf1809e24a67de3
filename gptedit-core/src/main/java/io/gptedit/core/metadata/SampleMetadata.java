package io.gptedit.core.metadata;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import com.google.common.collect.ImmutableMap;
import io.gptedit.core.geometry.Box;
import io.gptedit.core.geometry.PadCropPlan;
import io.gptedit.core.geometry.Size;
import io.gptedit.core.instruction.EditInstruction;
import io.gptedit.core.instruction.InstructionKind;
import io.gptedit.core.quality.QualityVerdict;
import java.util.Map;
import java.util.Optional;

/**
 * The per-sample metadata record (the paper's appendix B.6): provenance, geometry, prompts, models and the
 * quality verdict. Serialised by {@link MetadataCodec}; the field names on the wire are in brackets below.
 *
 * <p>Geometry fields are consistent by construction: the plan's original size is {@link #originalSize()}, a crop
 * box needs a plan and a generation resolution, and lies inside that resolution.
 *
 * <p><b>Unknown fields.</b> Top-level fields this version does not know (for example fields of the public
 * release or a user's annotations) are kept verbatim in {@link #extensions()} and written back, so a read/write
 * round trip loses nothing. Unknown fields <em>inside</em> the objects this schema defines are errors (they are
 * almost always typos). A record with a higher {@code schema_version} than {@link #CURRENT_SCHEMA_VERSION} is
 * rejected rather than half-read.
 *
 * @param schemaVersion the schema version the record was written with [schema_version]
 * @param id the sample id [id]
 * @param dataset the source dataset, such as {@code omniedit}, {@code hqedit}, {@code ultraedit},
 *     {@code synthetic} [source.dataset]
 * @param task the source task or split, such as {@code addition} or {@code generate} [source.task]
 * @param sourceId the sample's id in the source dataset [source.sample_id]
 * @param instruction the instruction: original, rewrite, atomic steps, complexity [instruction]
 * @param originalSize the input's size before padding [original_size]
 * @param padCrop the pad/crop plan, when the input was padded for generation [padding]
 * @param generationResolution the size the generator rendered at [generation_resolution]
 * @param cropBox the content region in the generated image [crop_box]
 * @param generatorModel the model that generated the output, such as {@code gpt-image-1} [models.generator]
 * @param rewriterModel the model that rewrote or composed the instruction [models.rewriter]
 * @param quality the quality verdict [quality]
 * @param inputPath the input image's path relative to the dataset root [files.input]
 * @param outputPath the output image's path relative to the dataset root [files.output]
 * @param inputDescription a caption of the input image [input_description]
 * @param extensions unknown top-level fields, name to compact JSON text
 * @since 0.1
 */
public record SampleMetadata(
    int schemaVersion,
    String id,
    String dataset,
    Optional<String> task,
    Optional<String> sourceId,
    EditInstruction instruction,
    Size originalSize,
    Optional<PadCropPlan> padCrop,
    Optional<Size> generationResolution,
    Optional<Box> cropBox,
    Optional<String> generatorModel,
    Optional<String> rewriterModel,
    Optional<QualityVerdict> quality,
    Optional<String> inputPath,
    Optional<String> outputPath,
    Optional<String> inputDescription,
    Map<String, String> extensions) {

  /** The schema version this library writes. */
  public static final int CURRENT_SCHEMA_VERSION = 1;

  /**
   * Validates the record.
   *
   * @throws MetadataException if a field is missing, out of range or inconsistent with another; the message
   *     names the field
   */
  public SampleMetadata {
    requireNonNull(id, "id");
    try {
      SampleId.check(id);
    } catch (IllegalArgumentException e) {
      throw new MetadataException(null, "id", e.getMessage(), e);
    }
    if (schemaVersion < 1 || schemaVersion > CURRENT_SCHEMA_VERSION) {
      throw new MetadataException(
          id,
          "schema_version",
          "version " + schemaVersion + " is not supported (this library reads 1.." + CURRENT_SCHEMA_VERSION + ")");
    }
    requireField(id, "source.dataset", dataset);
    if (dataset.isBlank()) {
      throw new MetadataException(id, "source.dataset", "must not be blank");
    }
    requireField(id, "source.task", task);
    requireField(id, "source.sample_id", sourceId);
    requireField(id, "instruction", instruction);
    requireField(id, "original_size", originalSize);
    requireField(id, "padding", padCrop);
    requireField(id, "generation_resolution", generationResolution);
    requireField(id, "crop_box", cropBox);
    requireField(id, "models.generator", generatorModel);
    requireField(id, "models.rewriter", rewriterModel);
    requireField(id, "quality", quality);
    requireField(id, "files.input", inputPath);
    requireField(id, "files.output", outputPath);
    requireField(id, "input_description", inputDescription);
    extensions = ImmutableMap.copyOf(requireField(id, "extensions", extensions));
    if (padCrop.isPresent() && !padCrop.get().original().equals(originalSize)) {
      throw new MetadataException(
          id,
          "padding",
          "plan is for " + padCrop.get().original() + " but original_size is " + originalSize);
    }
    if (cropBox.isPresent()) {
      if (generationResolution.isEmpty() || padCrop.isEmpty()) {
        throw new MetadataException(
            id, "crop_box", "a crop box needs both padding and generation_resolution");
      }
      if (!cropBox.get().fitsIn(generationResolution.get())) {
        throw new MetadataException(
            id,
            "crop_box",
            cropBox.get() + " does not fit in generation_resolution " + generationResolution.get());
      }
    }
    for (String key : extensions.keySet()) {
      checkArgument(!MetadataCodec.KNOWN_FIELDS.contains(key), "extension '%s' shadows a schema field", key);
    }
  }

  private static <T> T requireField(String id, String field, T value) {
    if (value == null) {
      throw new MetadataException(id, field, "is null");
    }
    return value;
  }

  /**
   * Returns how the instruction was made (the release's {@code instruction_type}).
   *
   * @return the kind
   */
  public InstructionKind instructionKind() {
    return instruction.kind();
  }

  /**
   * Returns a builder for a record with the given id, dataset, instruction and original size.
   *
   * @param id the sample id
   * @param dataset the source dataset
   * @param instruction the instruction
   * @param originalSize the input's size
   * @return a builder; every other field is optional
   */
  public static Builder builder(String id, String dataset, EditInstruction instruction, Size originalSize) {
    return new Builder(id, dataset, instruction, originalSize);
  }

  /**
   * Returns a builder holding this record's values.
   *
   * @return a builder
   */
  public Builder toBuilder() {
    Builder b = new Builder(id, dataset, instruction, originalSize);
    b.schemaVersion = schemaVersion;
    b.task = task;
    b.sourceId = sourceId;
    b.padCrop = padCrop;
    b.generationResolution = generationResolution;
    b.cropBox = cropBox;
    b.generatorModel = generatorModel;
    b.rewriterModel = rewriterModel;
    b.quality = quality;
    b.inputPath = inputPath;
    b.outputPath = outputPath;
    b.inputDescription = inputDescription;
    b.extensions = ImmutableMap.<String, String>builder().putAll(extensions);
    return b;
  }

  /** Builds {@link SampleMetadata}: id, dataset, instruction and original size are required, the rest optional. */
  public static final class Builder {
    private int schemaVersion = CURRENT_SCHEMA_VERSION;
    private String id;
    private String dataset;
    private EditInstruction instruction;
    private Size originalSize;
    private Optional<String> task = Optional.empty();
    private Optional<String> sourceId = Optional.empty();
    private Optional<PadCropPlan> padCrop = Optional.empty();
    private Optional<Size> generationResolution = Optional.empty();
    private Optional<Box> cropBox = Optional.empty();
    private Optional<String> generatorModel = Optional.empty();
    private Optional<String> rewriterModel = Optional.empty();
    private Optional<QualityVerdict> quality = Optional.empty();
    private Optional<String> inputPath = Optional.empty();
    private Optional<String> outputPath = Optional.empty();
    private Optional<String> inputDescription = Optional.empty();
    private ImmutableMap.Builder<String, String> extensions = ImmutableMap.builder();

    private Builder(String id, String dataset, EditInstruction instruction, Size originalSize) {
      this.id = id;
      this.dataset = dataset;
      this.instruction = instruction;
      this.originalSize = originalSize;
    }

    /**
     * Sets the schema version (defaults to the current one).
     *
     * @param v the version
     * @return this builder
     */
    public Builder optSchemaVersion(int v) {
      this.schemaVersion = v;
      return this;
    }

    /**
     * Sets the sample id.
     *
     * @param v the id
     * @return this builder
     */
    public Builder optId(String v) {
      this.id = v;
      return this;
    }

    /**
     * Sets the instruction.
     *
     * @param v the instruction
     * @return this builder
     */
    public Builder optInstruction(EditInstruction v) {
      this.instruction = v;
      return this;
    }

    /**
     * Sets the source task or split.
     *
     * @param v the task
     * @return this builder
     */
    public Builder optTask(String v) {
      this.task = Optional.of(v);
      return this;
    }

    /**
     * Sets the sample's id in the source dataset.
     *
     * @param v the source id
     * @return this builder
     */
    public Builder optSourceId(String v) {
      this.sourceId = Optional.of(v);
      return this;
    }

    /**
     * Sets the pad/crop plan.
     *
     * @param v the plan
     * @return this builder
     */
    public Builder optPadCrop(PadCropPlan v) {
      this.padCrop = Optional.of(v);
      return this;
    }

    /**
     * Sets the generation resolution and the crop box the plan gives there.
     *
     * @param generation the size the canvas was rendered at
     * @return this builder
     * @throws IllegalStateException if no plan was set first
     */
    public Builder optGeneratedAt(Size generation) {
      PadCropPlan plan =
          padCrop.orElseThrow(() -> new IllegalStateException("set padCrop before generatedAt"));
      this.generationResolution = Optional.of(generation);
      this.cropBox = Optional.of(plan.cropBoxAt(generation));
      return this;
    }

    /**
     * Sets the generation resolution.
     *
     * @param v the size
     * @return this builder
     */
    public Builder optGenerationResolution(Size v) {
      this.generationResolution = Optional.of(v);
      return this;
    }

    /**
     * Sets the crop box.
     *
     * @param v the box
     * @return this builder
     */
    public Builder optCropBox(Box v) {
      this.cropBox = Optional.of(v);
      return this;
    }

    /**
     * Sets the generator model name.
     *
     * @param v the model, such as {@code gpt-image-1}
     * @return this builder
     */
    public Builder optGeneratorModel(String v) {
      this.generatorModel = Optional.of(v);
      return this;
    }

    /**
     * Sets the rewriter model name.
     *
     * @param v the model, such as {@code gpt-4o}
     * @return this builder
     */
    public Builder optRewriterModel(String v) {
      this.rewriterModel = Optional.of(v);
      return this;
    }

    /**
     * Sets the quality verdict.
     *
     * @param v the verdict
     * @return this builder
     */
    public Builder optQuality(QualityVerdict v) {
      this.quality = Optional.of(v);
      return this;
    }

    /**
     * Sets the input path relative to the dataset root.
     *
     * @param v the path
     * @return this builder
     */
    public Builder optInputPath(String v) {
      this.inputPath = Optional.of(v);
      return this;
    }

    /**
     * Sets the output path relative to the dataset root.
     *
     * @param v the path
     * @return this builder
     */
    public Builder optOutputPath(String v) {
      this.outputPath = Optional.of(v);
      return this;
    }

    /**
     * Sets the input caption.
     *
     * @param v the caption
     * @return this builder
     */
    public Builder optInputDescription(String v) {
      this.inputDescription = Optional.of(v);
      return this;
    }

    /**
     * Adds an extension field.
     *
     * @param name the top-level field name (not one of the schema's)
     * @param json the value as JSON text
     * @return this builder
     */
    public Builder optExtension(String name, String json) {
      extensions.put(name, json);
      return this;
    }

    /**
     * Builds the record.
     *
     * @return the validated record
     * @throws MetadataException if a field is invalid
     */
    public SampleMetadata build() {
      return new SampleMetadata(
          schemaVersion,
          id,
          dataset,
          task,
          sourceId,
          instruction,
          originalSize,
          padCrop,
          generationResolution,
          cropBox,
          generatorModel,
          rewriterModel,
          quality,
          inputPath,
          outputPath,
          inputDescription,
          extensions.buildKeepingLast());
    }
  }
}
