package io.gptedit.core.metadata;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.gptedit.core.geometry.PadCropPlan;
import io.gptedit.core.geometry.Size;
import io.gptedit.core.instruction.EditInstruction;
import io.gptedit.core.testing.Property;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class MetadataCodecTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final JsonSchema SCHEMA =
      JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(MetadataCodec.schemaText());

  private static SampleMetadata sample() {
    PadCropPlan plan = PadCropPlan.forSize(1200, 768);
    return SampleMetadata.builder(
            "omniedit_addition_000123", "omniedit", EditInstruction.of("add a red hat"), new Size(1200, 768))
        .optTask("addition")
        .optSourceId("000123")
        .optPadCrop(plan)
        .optGeneratedAt(new Size(1536, 1024))
        .optGeneratorModel("gpt-image-1")
        .build();
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3})
  void everyRecordRoundTripsExactlyAndWritesByteIdenticalJson(long seed) {
    Property.forAll(
        seed,
        1_000,
        MetadataGenerators::record,
        m -> {
          String json = MetadataCodec.toJson(m);
          SampleMetadata back = MetadataCodec.fromJson(json);
          assertThat(back).isEqualTo(m);
          assertThat(MetadataCodec.toJson(back)).isEqualTo(json);
          assertThat(MetadataCodec.fromJson(MetadataCodec.toPrettyJson(m))).isEqualTo(m);
        });
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {4, 5})
  void everyWrittenRecordSatisfiesTheShippedJsonSchema(long seed) {
    Property.forAll(
        seed,
        400,
        MetadataGenerators::record,
        m -> {
          Set<ValidationMessage> errors = SCHEMA.validate(MAPPER.readTree(MetadataCodec.toJson(m)));
          assertThat(errors).isEmpty();
        });
  }

  @Test
  void schemaRejectsWhatTheCodecRejects() throws Exception {
    ObjectNode bad = (ObjectNode) MAPPER.readTree(MetadataCodec.toJson(sample()));
    ((ObjectNode) bad.get("original_size")).put("width", 0);
    assertThat(SCHEMA.validate(bad)).isNotEmpty();
    assertThatThrownBy(() -> MetadataCodec.fromTree(bad))
        .isInstanceOf(MetadataException.class)
        .hasMessageContaining("original_size.width");

    ObjectNode typo = (ObjectNode) MAPPER.readTree(MetadataCodec.toJson(sample()));
    ((ObjectNode) typo.get("padding")).put("lefft", 3);
    assertThat(SCHEMA.validate(typo)).isNotEmpty();
    assertThatThrownBy(() -> MetadataCodec.fromTree(typo)).hasMessageContaining("padding.lefft");
  }

  @ParameterizedTest(name = "removing {0}")
  @CsvSource({"id", "schema_version", "source", "instruction", "original_size"})
  void missingRequiredFieldIsNamedInTheError(String field) throws Exception {
    ObjectNode node = (ObjectNode) MAPPER.readTree(MetadataCodec.toJson(sample()));
    node.remove(field);
    assertThat(SCHEMA.validate(node)).isNotEmpty();
    assertThatThrownBy(() -> MetadataCodec.fromTree(node))
        .isInstanceOf(MetadataException.class)
        .hasMessageContaining("'" + field)
        .hasMessageContaining("field missing");
  }

  @ParameterizedTest(name = "{0} = {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "original_size.height | \"tall\" | expected an integer",
        "source.dataset | 42 | expected a string",
        "padding.color | \"white\" | expected #rrggbb",
        "padding.preset | \"4:3\" | unknown aspect preset",
        "instruction.complexity | \"C9\" | expected C1..C8",
        "crop_box.x | -1 | expected an integer >= 0",
        "quality.accepted | \"yes\" | expected true or false"
      })
  void illTypedFieldIsNamedWithTheSampleId(String path, String json, String message) throws Exception {
    ObjectNode node = (ObjectNode) MAPPER.readTree(MetadataCodec.toJson(sample()));
    node.putObject("quality").put("accepted", true).putArray("reasons");
    String[] parts = path.split("\\.");
    ((ObjectNode) node.get(parts[0])).set(parts[1], MAPPER.readTree(json));
    assertThatThrownBy(() -> MetadataCodec.fromTree(node))
        .isInstanceOf(MetadataException.class)
        .hasMessageContaining("omniedit_addition_000123")
        .hasMessageContaining(path)
        .hasMessageContaining(message)
        .satisfies(e -> assertThat(((MetadataException) e).field()).isEqualTo(path));
  }

  @Test
  void unknownTopLevelFieldsArePreservedVerbatim() {
    String json = MetadataCodec.toJson(sample());
    String extended =
        json.substring(0, json.length() - 1) + ",\"instruction_type\":\"original\",\"x\":{\"a\":[1,2.5,null]}}";
    SampleMetadata m = MetadataCodec.fromJson(extended);
    assertThat(m.extensions()).containsEntry("x", "{\"a\":[1,2.5,null]}");
    assertThat(MetadataCodec.toJson(m)).isEqualTo(extended);
  }

  @Test
  void newerSchemaVersionIsRejectedNotHalfRead() throws Exception {
    ObjectNode node = (ObjectNode) MAPPER.readTree(MetadataCodec.toJson(sample()));
    node.put("schema_version", 2);
    assertThatThrownBy(() -> MetadataCodec.fromTree(node))
        .isInstanceOf(MetadataException.class)
        .hasMessageContaining("newer gptedit");
  }

  @Test
  void inconsistentGeometryIsRejected() throws Exception {
    ObjectNode node = (ObjectNode) MAPPER.readTree(MetadataCodec.toJson(sample()));
    ((ObjectNode) node.get("crop_box")).put("width", 5000);
    assertThatThrownBy(() -> MetadataCodec.fromTree(node))
        .isInstanceOf(MetadataException.class)
        .hasMessageContaining("crop_box")
        .hasMessageContaining("does not fit");
    ObjectNode node2 = (ObjectNode) MAPPER.readTree(MetadataCodec.toJson(sample()));
    ((ObjectNode) node2.get("original_size")).put("width", 1199);
    assertThatThrownBy(() -> MetadataCodec.fromTree(node2)).hasMessageContaining("padding");
  }

  @Test
  void declaredInstructionTypeMustMatchTheFields() throws Exception {
    ObjectNode node = (ObjectNode) MAPPER.readTree(MetadataCodec.toJson(sample()));
    ((ObjectNode) node.get("instruction")).put("type", "rewrite");
    assertThatThrownBy(() -> MetadataCodec.fromTree(node))
        .hasMessageContaining("instruction.type")
        .hasMessageContaining("'original' instruction");
  }

  @Test
  void malformedAndDuplicateKeyJsonAreTypedErrors() {
    assertThatThrownBy(() -> MetadataCodec.fromJson("{\"id\": "))
        .isInstanceOf(MetadataException.class)
        .hasMessageContaining("not valid JSON");
    assertThatThrownBy(() -> MetadataCodec.fromJson("{\"id\":\"a\",\"id\":\"b\"}"))
        .isInstanceOf(MetadataException.class)
        .hasMessageContaining("Duplicate field");
    assertThatThrownBy(() -> MetadataCodec.fromJson("[1,2]")).hasMessageContaining("expected a JSON object");
  }

  @Test
  void writtenFieldsUseTheDocumentedWireNames() throws Exception {
    JsonNode n = MAPPER.readTree(MetadataCodec.toJson(sample()));
    assertThat(n.get("padding").get("preset").asText()).isEqualTo("3:2");
    assertThat(n.get("padding").get("color").asText()).isEqualTo("#ffffff");
    assertThat(n.get("crop_box").get("y").asInt()).isEqualTo(20);
    assertThat(n.get("generation_resolution").get("width").asInt()).isEqualTo(1536);
    assertThat(n.get("instruction").get("type").asText()).isEqualTo("original");
  }
}
