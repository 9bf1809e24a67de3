package io.gptedit.data.synthetic;

import static java.util.Objects.requireNonNull;

/**
 * One atomic edit of a synthetic scene. Shapes are named by kind and colour, which are unique in a scene, so an
 * operation means the same thing whether it comes from the generator or from parsing an instruction.
 *
 * @since 0.1
 */
public sealed interface EditOp {
  /**
   * Applies the edit.
   *
   * @param scene the scene before
   * @return the scene after
   * @throws IllegalArgumentException if the edit does not apply (no such shape, cell taken, colour clash)
   */
  Scene apply(Scene scene);

  /**
   * Returns the edit's task name, as metadata records it.
   *
   * @return such as {@code recolour}
   */
  String task();

  private static SceneShape require(Scene scene, ShapeKind kind, SceneColor color) {
    return scene
        .find(kind, color)
        .orElseThrow(() -> new IllegalArgumentException("the scene has no " + color.word() + " " + kind.word()));
  }

  /**
   * Gives a shape another colour.
   *
   * @param kind the shape's kind
   * @param from its colour now
   * @param to its new colour
   */
  record Recolour(ShapeKind kind, SceneColor from, SceneColor to) implements EditOp {
    /** Validates the edit. */
    public Recolour {
      requireNonNull(kind, "kind");
      requireNonNull(from, "from");
      requireNonNull(to, "to");
      if (from == to) {
        throw new IllegalArgumentException("recolour needs a different colour, got " + to.word() + " twice");
      }
    }

    @Override
    public Scene apply(Scene scene) {
      SceneShape s = require(scene, kind, from);
      return scene.replace(s, new SceneShape(kind, to, s.cell(), s.scale()));
    }

    @Override
    public String task() {
      return "recolour";
    }
  }

  /**
   * Adds a shape in a free cell.
   *
   * @param kind the kind
   * @param color the colour
   * @param size the size
   * @param cell the cell
   */
  record Add(ShapeKind kind, SceneColor color, SizeClass size, GridCell cell) implements EditOp {
    /** Validates the edit. */
    public Add {
      requireNonNull(kind, "kind");
      requireNonNull(color, "color");
      requireNonNull(size, "size");
      requireNonNull(cell, "cell");
    }

    @Override
    public Scene apply(Scene scene) {
      return scene.with(new SceneShape(kind, color, cell, size.scale()));
    }

    @Override
    public String task() {
      return "add";
    }
  }

  /**
   * Removes a shape.
   *
   * @param kind the kind
   * @param color the colour
   */
  record Remove(ShapeKind kind, SceneColor color) implements EditOp {
    /** Validates the edit. */
    public Remove {
      requireNonNull(kind, "kind");
      requireNonNull(color, "color");
    }

    @Override
    public Scene apply(Scene scene) {
      return scene.replace(require(scene, kind, color), null);
    }

    @Override
    public String task() {
      return "remove";
    }
  }

  /**
   * Moves a shape to a free cell.
   *
   * @param kind the kind
   * @param color the colour
   * @param to the target cell
   */
  record Move(ShapeKind kind, SceneColor color, GridCell to) implements EditOp {
    /** Validates the edit. */
    public Move {
      requireNonNull(kind, "kind");
      requireNonNull(color, "color");
      requireNonNull(to, "to");
    }

    @Override
    public Scene apply(Scene scene) {
      SceneShape s = require(scene, kind, color);
      if (s.cell() == to) {
        throw new IllegalArgumentException("the " + s.noun() + " is already in the " + to.words());
      }
      return scene.replace(s, new SceneShape(kind, color, to, s.scale()));
    }

    @Override
    public String task() {
      return "move";
    }
  }

  /**
   * Resizes a shape about its centre.
   *
   * @param kind the kind
   * @param color the colour
   * @param factor the factor
   */
  record Resize(ShapeKind kind, SceneColor color, ResizeFactor factor) implements EditOp {
    /** Validates the edit. */
    public Resize {
      requireNonNull(kind, "kind");
      requireNonNull(color, "color");
      requireNonNull(factor, "factor");
    }

    @Override
    public Scene apply(Scene scene) {
      SceneShape s = require(scene, kind, color);
      if (!factor.allows(s.scale())) {
        throw new IllegalArgumentException("the " + s.noun() + " cannot be made " + factor.phrases().get(0));
      }
      return scene.replace(s, new SceneShape(kind, color, s.cell(), s.scale() * factor.factor()));
    }

    @Override
    public String task() {
      return "resize";
    }
  }

  /**
   * Replaces the background.
   *
   * @param background the new background
   */
  record ChangeBackground(Background background) implements EditOp {
    /** Validates the edit. */
    public ChangeBackground {
      requireNonNull(background, "background");
    }

    @Override
    public Scene apply(Scene scene) {
      if (scene.background().equals(background)) {
        throw new IllegalArgumentException("the background is already " + background.phrase());
      }
      return scene.withBackground(background);
    }

    @Override
    public String task() {
      return "background";
    }
  }
}
