package io.gptedit.data.synthetic;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.common.collect.ImmutableList;
import io.gptedit.core.GpteditException;
import io.gptedit.core.image.EditMask;
import io.gptedit.core.image.RgbImage;
import io.gptedit.core.metadata.SampleMetadata;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The exact ground truth of a synthetic sample: the input's scene and the edit program. It travels with the sample
 * as the metadata extension {@value #EXTENSION} (through curation, shards and indexes unchanged), so that training
 * and scoring read the exact target, the exact edit mask and every object of the scene from the sample itself,
 * never from the world that generated it. Rendering is a pure function of the scene, so the exact target is
 * recomputed bit for bit.
 *
 * @param scene the input's scene
 * @param program the atomic edits, in order
 * @since 0.1
 */
public record SyntheticTruth(Scene scene, List<EditOp> program) {
  /** The metadata extension's name. */
  public static final String EXTENSION = "synthetic_truth";

  private static final ObjectMapper JSON = new ObjectMapper();

  /** Validates and freezes the parts. */
  public SyntheticTruth {
    requireNonNull(scene, "scene");
    program = ImmutableList.copyOf(program);
    if (program.isEmpty()) {
      throw new IllegalArgumentException("a synthetic truth needs at least one edit");
    }
  }

  /**
   * Reads the truth a sample's metadata carries.
   *
   * @param metadata the sample's metadata
   * @return the truth, or empty when the sample is not synthetic
   * @throws GpteditException if the extension is present but malformed (naming the sample)
   */
  public static Optional<SyntheticTruth> of(SampleMetadata metadata) {
    String json = metadata.extensions().get(EXTENSION);
    return json == null ? Optional.empty() : Optional.of(fromJson(json, metadata.id()));
  }

  /**
   * Returns the scene after the edit.
   *
   * @return the edited scene
   */
  public Scene targetScene() {
    Scene s = scene;
    for (EditOp op : program) {
      s = op.apply(s);
    }
    return s;
  }

  /**
   * Renders the input at the scene's native size.
   *
   * @return the input
   */
  public RgbImage input() {
    return scene.render();
  }

  /**
   * Renders the exact target at the scene's native size.
   *
   * @return the target
   */
  public RgbImage exactTarget() {
    return targetScene().render();
  }

  /**
   * Returns the pixels the edit changes at the native size.
   *
   * @return the mask
   */
  public EditMask mask() {
    return EditMask.between(input(), exactTarget());
  }

  /**
   * Returns the task name (the edit's kind, or {@code c2}/{@code c3} for chains).
   *
   * @return the task
   */
  public String task() {
    return program.size() == 1 ? program.get(0).task() : "c" + program.size();
  }

  /**
   * Writes the truth as compact JSON.
   *
   * @return the JSON text
   */
  public String toJson() {
    ObjectNode root = JSON.createObjectNode();
    ObjectNode s = root.putObject("scene");
    s.put("width", scene.width());
    s.put("height", scene.height());
    s.set("background", background(scene.background()));
    ArrayNode shapes = s.putArray("shapes");
    for (SceneShape sh : scene.shapes()) {
      shapes.add(shape(sh));
    }
    ArrayNode ops = root.putArray("program");
    for (EditOp op : program) {
      ObjectNode o = ops.addObject();
      if (op instanceof EditOp.Recolour r) {
        o.put("op", "recolour").put("kind", r.kind().name()).put("from", r.from().name()).put("to", r.to().name());
      } else if (op instanceof EditOp.Add a) {
        o.put("op", "add").put("kind", a.kind().name()).put("color", a.color().name()).put("size", a.size().name())
            .put("cell", a.cell().name());
      } else if (op instanceof EditOp.Remove r) {
        o.put("op", "remove").put("kind", r.kind().name()).put("color", r.color().name());
      } else if (op instanceof EditOp.Move mv) {
        o.put("op", "move").put("kind", mv.kind().name()).put("color", mv.color().name()).put("to", mv.to().name());
      } else if (op instanceof EditOp.Resize rs) {
        o.put("op", "resize").put("kind", rs.kind().name()).put("color", rs.color().name())
            .put("factor", rs.factor().name());
      } else if (op instanceof EditOp.ChangeBackground b) {
        o.put("op", "background").set("background", background(b.background()));
      } else {
        throw new IllegalStateException("unknown edit " + op);
      }
    }
    return root.toString();
  }

  /**
   * Reads a truth from its JSON.
   *
   * @param json the JSON text
   * @param sampleId the sample, for error messages
   * @return the truth
   * @throws GpteditException if the JSON is malformed or names an unknown value
   */
  public static SyntheticTruth fromJson(String json, String sampleId) {
    try {
      JsonNode root = JSON.readTree(json);
      JsonNode s = root.path("scene");
      List<SceneShape> shapes = new ArrayList<>();
      for (JsonNode sh : s.path("shapes")) {
        shapes.add(
            new SceneShape(
                ShapeKind.valueOf(sh.path("kind").asText()), SceneColor.valueOf(sh.path("color").asText()),
                GridCell.valueOf(sh.path("cell").asText()), sh.path("scale").asDouble()));
      }
      Scene scene =
          new Scene(s.path("width").asInt(), s.path("height").asInt(), background(s.path("background")), shapes);
      List<EditOp> program = new ArrayList<>();
      for (JsonNode o : root.path("program")) {
        String kind = o.path("kind").asText();
        program.add(
            switch (o.path("op").asText()) {
              case "recolour" -> new EditOp.Recolour(
                  ShapeKind.valueOf(kind), SceneColor.valueOf(o.path("from").asText()),
                  SceneColor.valueOf(o.path("to").asText()));
              case "add" -> new EditOp.Add(
                  ShapeKind.valueOf(kind), SceneColor.valueOf(o.path("color").asText()),
                  SizeClass.valueOf(o.path("size").asText()), GridCell.valueOf(o.path("cell").asText()));
              case "remove" -> new EditOp.Remove(ShapeKind.valueOf(kind), SceneColor.valueOf(o.path("color").asText()));
              case "move" -> new EditOp.Move(
                  ShapeKind.valueOf(kind), SceneColor.valueOf(o.path("color").asText()),
                  GridCell.valueOf(o.path("to").asText()));
              case "resize" -> new EditOp.Resize(
                  ShapeKind.valueOf(kind), SceneColor.valueOf(o.path("color").asText()),
                  ResizeFactor.valueOf(o.path("factor").asText()));
              case "background" -> new EditOp.ChangeBackground(background(o.path("background")));
              default -> throw new IllegalArgumentException("unknown edit '" + o.path("op").asText() + "'");
            });
      }
      return new SyntheticTruth(scene, program);
    } catch (com.fasterxml.jackson.core.JsonProcessingException | IllegalArgumentException e) {
      throw new GpteditException("sample " + sampleId + ": malformed " + EXTENSION + ": " + e.getMessage(), e);
    }
  }

  private static ObjectNode background(Background b) {
    return JSON.createObjectNode().put("pattern", b.pattern().name()).put("first", b.first().name())
        .put("second", b.second().name());
  }

  private static Background background(JsonNode n) {
    return new Background(
        Background.Pattern.valueOf(n.path("pattern").asText()), SceneColor.valueOf(n.path("first").asText()),
        SceneColor.valueOf(n.path("second").asText()));
  }

  private static ObjectNode shape(SceneShape s) {
    return JSON.createObjectNode().put("kind", s.kind().name()).put("color", s.color().name())
        .put("cell", s.cell().name()).put("scale", s.scale());
  }
}
