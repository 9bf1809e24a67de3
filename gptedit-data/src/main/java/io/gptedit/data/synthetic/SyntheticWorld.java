package io.gptedit.data.synthetic;

import io.gptedit.core.image.EditMask;
import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import io.gptedit.core.geometry.AspectPreset;
import io.gptedit.core.image.RgbImage;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.LongStream;
import java.util.stream.Stream;

/**
 * The procedural edit world: a deterministic generator of scenes, edit programs and instructions with exact
 * ground truth. In-process stand-ins for the image-edit, image-generation and chat services that apply the
 * programs exactly, so the whole curation pipeline runs offline, are in {@code gptedit-testkit}
 * ({@code io.gptedit.testkit.synthetic.SyntheticServices}); they find scenes with {@link #lookup}.
 *
 * <p>{@link #sample(long)} depends only on the seed, the builder's settings and the index: the same world gives
 * the same sample on every run and every machine. Sizes: with probability {@code exactRatioShare} a sample has
 * exactly a preset's ratio ({@code k * 1 x k * 1}, {@code k * 3 x k * 2} or {@code k * 2 x k * 3}); otherwise
 * the preset's ratio is jittered by up to 12 % on the short side, so the sample needs padding. The long side is
 * uniform in {@code [minSide, maxSide]}. A draw whose edit changes no pixel at the native size (possible only for
 * tiny images, where a shape can fall between pixel centres) is redrawn, so every mask is non-empty.
 *
 * <p>The world recognises an image by its exact pixels ({@link Fingerprint}): every scene it rendered for a sample,
 * and every rendering {@link #register registered} with it, is remembered in a concurrent map (about 200 bytes a
 * scene).
 *
 * @since 0.1
 */
public final class SyntheticWorld {
  private final long seed;
  private final int minSide;
  private final int maxSide;
  private final double exactRatioShare;
  private final double[] complexityWeights;
  private final double patternShare;
  private final ConcurrentHashMap<Fingerprint, Scene> registry = new ConcurrentHashMap<>();

  private SyntheticWorld(Builder b) {
    this.seed = b.seed;
    this.minSide = b.minSide;
    this.maxSide = b.maxSide;
    this.exactRatioShare = b.exactRatioShare;
    this.complexityWeights = b.complexityWeights.clone();
    this.patternShare = b.patternShare;
  }

  /**
   * Returns a builder for a world with the given seed.
   *
   * @param seed the seed every sample derives from
   * @return a builder with defaults: sides 48 to 160, 25 % exact ratios, C1/C2/C3 weights 0.6/0.25/0.15,
   *     30 % patterned backgrounds
   */
  public static Builder builder(long seed) {
    return new Builder(seed);
  }

  /**
   * Returns the world's seed.
   *
   * @return the seed
   */
  public long seed() {
    return seed;
  }

  /**
   * Returns sample {@code index}, generating and rendering it.
   *
   * @param index any non-negative index
   * @return the sample; the same for the same world settings and index
   */
  public SyntheticSample sample(long index) {
    checkArgument(index >= 0, "index must be >= 0, got %s", index);
    SplittableRandom r = random(index);
    AspectPreset preset = AspectPreset.values()[r.nextInt(3)];
    int[] size = drawSize(r, preset);
    int k = drawComplexity(r);
    int variant = r.nextInt(1 << 20);
    // At tiny sizes a shape can fall between pixel centres; redraw until the edit changes at least one pixel.
    for (int attempt = 0; ; attempt++) {
      Scene scene = randomScene(r, size[0], size[1]);
      List<EditOp> program = randomProgram(scene, k, r);
      SyntheticSample s = build(index, scene, program, variant);
      if (s.mask().count() > 0 || attempt >= 50) {
        return s;
      }
    }
  }

  /**
   * Returns a sample whose input is a given scene and whose edit is a given program.
   *
   * @param index the index to record
   * @param scene the input scene
   * @param program the edits (1 or more)
   * @param variant picks templates and joiners
   * @return the sample
   * @throws IllegalArgumentException if the program does not apply to the scene
   */
  public SyntheticSample build(long index, Scene scene, List<EditOp> program, int variant) {
    Scene target = scene;
    for (EditOp op : program) {
      target = op.apply(target);
    }
    List<String> steps = new ArrayList<>();
    for (int i = 0; i < program.size(); i++) {
      steps.add(SceneText.sentence(SceneText.step(program.get(i), variant + 5 * i)));
    }
    String instruction = SceneText.instruction(program, variant);
    RgbImage input = scene.render();
    RgbImage output = target.render();
    register(scene, input);
    return new SyntheticSample(
        index,
        String.format("syn-%08d", index),
        scene,
        program,
        target,
        instruction,
        steps,
        input,
        output,
        EditMask.between(input, output));
  }

  /**
   * Returns samples {@code from}, {@code from + 1}, ... lazily.
   *
   * @param from the first index
   * @param count how many
   * @return a sequential stream of samples
   */
  public Stream<SyntheticSample> samples(long from, long count) {
    checkArgument(from >= 0 && count >= 0, "from and count must be >= 0");
    return LongStream.range(from, from + count).mapToObj(this::sample);
  }

  /**
   * Returns a random scene of the given size with one to four shapes.
   *
   * @param r the random source
   * @param width the native width
   * @param height the native height
   * @return the scene
   */
  public Scene randomScene(SplittableRandom r, int width, int height) {
    Background bg = randomBackground(r, null, Set.of());
    List<GridCell> cells = new ArrayList<>(List.of(GridCell.values()));
    shuffle(cells, r);
    int n = 1 + r.nextInt(4);
    List<SceneShape> shapes = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      ShapeKind kind = ShapeKind.values()[r.nextInt(ShapeKind.values().length)];
      SceneColor color = pickColour(r, excluded(bg, shapes, kind));
      SizeClass size = SizeClass.values()[r.nextInt(SizeClass.values().length)];
      shapes.add(new SceneShape(kind, color, cells.get(i), size.scale()));
    }
    return new Scene(width, height, bg, shapes);
  }

  /**
   * Returns a random program of {@code k} edits, each valid on the scene the previous ones leave.
   *
   * @param scene the input scene
   * @param k the number of edits, at least 1
   * @param r the random source
   * @return the edits
   */
  public List<EditOp> randomProgram(Scene scene, int k, SplittableRandom r) {
    checkArgument(k >= 1, "k must be >= 1, got %s", k);
    // Each edit of a chain touches shapes (kind and colour pairs) and a background no earlier edit touched, so
    // no later edit can undo an earlier one and every program changes pixels.
    for (int attempt = 0; ; attempt++) {
      List<EditOp> ops = new ArrayList<>(k);
      Set<String> touched = new java.util.HashSet<>();
      Scene current = scene;
      int guard = 0;
      while (ops.size() < k && guard++ < 200) {
        EditOp op = randomOp(current, r);
        List<String> keys = touchedKeys(op);
        if (keys.stream().anyMatch(touched::contains)) {
          continue;
        }
        touched.addAll(keys);
        current = op.apply(current);
        ops.add(op);
      }
      if (ops.size() == k) {
        return ops;
      }
      if (attempt > 20) {
        throw new IllegalStateException("cannot draw " + k + " independent edits for " + scene);
      }
    }
  }

  private static List<String> touchedKeys(EditOp op) {
    if (op instanceof EditOp.Recolour c) {
      return List.of(c.kind() + "/" + c.from(), c.kind() + "/" + c.to());
    } else if (op instanceof EditOp.Add a) {
      return List.of(a.kind() + "/" + a.color(), "cell/" + a.cell());
    } else if (op instanceof EditOp.Remove m) {
      return List.of(m.kind() + "/" + m.color());
    } else if (op instanceof EditOp.Move m) {
      return List.of(m.kind() + "/" + m.color(), "cell/" + m.to());
    } else if (op instanceof EditOp.Resize z) {
      return List.of(z.kind() + "/" + z.color());
    }
    return List.of("background");
  }

  private EditOp randomOp(Scene s, SplittableRandom r) {
    List<SceneShape> shapes = s.shapes();
    List<GridCell> free = s.freeCells();
    while (true) {
      switch (r.nextInt(6)) {
        case 0 -> {
          if (!shapes.isEmpty()) {
            SceneShape t = shapes.get(r.nextInt(shapes.size()));
            Set<SceneColor> no = excluded(s.background(), shapes, t.kind());
            return new EditOp.Recolour(t.kind(), t.color(), pickColour(r, no));
          }
        }
        case 1 -> {
          if (!free.isEmpty()) {
            ShapeKind kind = ShapeKind.values()[r.nextInt(ShapeKind.values().length)];
            SceneColor c = pickColour(r, excluded(s.background(), shapes, kind));
            SizeClass size = SizeClass.values()[r.nextInt(SizeClass.values().length)];
            return new EditOp.Add(kind, c, size, free.get(r.nextInt(free.size())));
          }
        }
        case 2 -> {
          if (shapes.size() > 1) {
            SceneShape t = shapes.get(r.nextInt(shapes.size()));
            return new EditOp.Remove(t.kind(), t.color());
          }
        }
        case 3 -> {
          if (!shapes.isEmpty() && !free.isEmpty()) {
            SceneShape t = shapes.get(r.nextInt(shapes.size()));
            return new EditOp.Move(t.kind(), t.color(), free.get(r.nextInt(free.size())));
          }
        }
        case 4 -> {
          if (!shapes.isEmpty()) {
            SceneShape t = shapes.get(r.nextInt(shapes.size()));
            ResizeFactor f = ResizeFactor.values()[r.nextInt(2)];
            if (!f.allows(t.scale())) {
              f = f == ResizeFactor.HALF ? ResizeFactor.ONE_AND_A_HALF : ResizeFactor.HALF;
            }
            if (f.allows(t.scale())) {
              return new EditOp.Resize(t.kind(), t.color(), f);
            }
          }
        }
        default -> {
          Set<SceneColor> used = EnumSet.noneOf(SceneColor.class);
          shapes.forEach(x -> used.add(x.color()));
          return new EditOp.ChangeBackground(randomBackground(r, s.background(), used));
        }
      }
    }
  }

  private Background randomBackground(SplittableRandom r, Background not, Set<SceneColor> avoid) {
    while (true) {
      Set<SceneColor> no = EnumSet.noneOf(SceneColor.class);
      no.addAll(avoid);
      SceneColor a = pickColour(r, no);
      Background bg;
      if (r.nextDouble() < patternShare) {
        no.add(a);
        SceneColor b = pickColour(r, no);
        bg = new Background(r.nextBoolean() ? Background.Pattern.STRIPES : Background.Pattern.CHECKER, a, b);
      } else {
        bg = Background.plain(a);
      }
      if (!bg.equals(not)) {
        return bg;
      }
    }
  }

  private static Set<SceneColor> excluded(Background bg, List<SceneShape> shapes, ShapeKind kind) {
    Set<SceneColor> no = EnumSet.of(bg.first(), bg.second());
    for (SceneShape s : shapes) {
      if (s.kind() == kind) {
        no.add(s.color());
      }
    }
    return no;
  }

  private static SceneColor pickColour(SplittableRandom r, Set<SceneColor> excluded) {
    List<SceneColor> options = new ArrayList<>();
    for (SceneColor c : SceneColor.values()) {
      if (!excluded.contains(c)) {
        options.add(c);
      }
    }
    return options.get(r.nextInt(options.size()));
  }

  private static <T> void shuffle(List<T> list, SplittableRandom r) {
    for (int i = list.size() - 1; i > 0; i--) {
      int j = r.nextInt(i + 1);
      T t = list.get(i);
      list.set(i, list.get(j));
      list.set(j, t);
    }
  }

  private int[] drawSize(SplittableRandom r, AspectPreset preset) {
    int a = preset.ratioWidth();
    int b = preset.ratioHeight();
    int longRatio = Math.max(a, b);
    if (r.nextDouble() < exactRatioShare) {
      int kMin = Math.max(1, (minSide + longRatio - 1) / longRatio);
      int kMax = Math.max(kMin, maxSide / longRatio);
      int k = kMin + r.nextInt(kMax - kMin + 1);
      return new int[] {a * k, b * k};
    }
    int longSide = minSide + r.nextInt(maxSide - minSide + 1);
    double jitter = 1 + (r.nextDouble() * 2 - 1) * 0.12;
    if (a == b) {
      int other = (int) Math.max(1, Math.min(RgbImage.MAX_SIDE, Math.round(longSide * jitter)));
      return r.nextBoolean() ? new int[] {longSide, other} : new int[] {other, longSide};
    }
    int shortSide = (int) Math.max(1, Math.round(longSide * Math.min(a, b) / (double) longRatio * jitter));
    return a > b ? new int[] {longSide, shortSide} : new int[] {shortSide, longSide};
  }

  private int drawComplexity(SplittableRandom r) {
    double total = complexityWeights[0] + complexityWeights[1] + complexityWeights[2];
    double u = r.nextDouble() * total;
    if (u < complexityWeights[0]) {
      return 1;
    }
    return u < complexityWeights[0] + complexityWeights[1] ? 2 : 3;
  }

  SplittableRandom random(long index) {
    return new SplittableRandom(mix(seed * 0x9E3779B97F4A7C15L + index));
  }

  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /**
   * Remembers that an image shows a scene, so that {@link #lookup} finds it (the stand-in services edit what they
   * find).
   *
   * @param scene the scene
   * @param rendering its rendering (any size)
   */
  public void register(Scene scene, RgbImage rendering) {
    registry.put(Fingerprint.of(rendering), requireNonNull(scene, "scene"));
  }

  /**
   * Returns the scene an image shows, if this world rendered it.
   *
   * @param image the exact rendering
   * @return the scene, if known
   */
  public Optional<Scene> lookup(RgbImage image) {
    return Optional.ofNullable(registry.get(Fingerprint.of(image)));
  }

  /** Builds a {@link SyntheticWorld}. */
  public static final class Builder {
    private final long seed;
    private int minSide = 48;
    private int maxSide = 160;
    private double exactRatioShare = 0.25;
    private double[] complexityWeights = {0.6, 0.25, 0.15};
    private double patternShare = 0.3;

    private Builder(long seed) {
      this.seed = seed;
    }

    /**
     * Sets the range of the long side.
     *
     * @param min the smallest long side, at least 8
     * @param max the largest long side, at most 4096
     * @return this builder
     */
    public Builder optSides(int min, int max) {
      checkArgument(min >= 8 && max >= min && max <= 4096, "sides must satisfy 8 <= min <= max <= 4096, got %s..%s", min, max);
      this.minSide = min;
      this.maxSide = max;
      return this;
    }

    /**
     * Sets the share of samples with exactly a preset's ratio (no padding needed).
     *
     * @param share 0 to 1
     * @return this builder
     */
    public Builder optExactRatioShare(double share) {
      checkArgument(share >= 0 && share <= 1, "share must be in [0, 1], got %s", share);
      this.exactRatioShare = share;
      return this;
    }

    /**
     * Sets the relative weights of one-, two- and three-edit programs.
     *
     * @param c1 weight of single edits
     * @param c2 weight of two-edit chains
     * @param c3 weight of three-edit chains
     * @return this builder
     */
    public Builder optComplexityWeights(double c1, double c2, double c3) {
      checkArgument(c1 >= 0 && c2 >= 0 && c3 >= 0 && c1 + c2 + c3 > 0, "weights must be >= 0 with a positive sum");
      this.complexityWeights = new double[] {c1, c2, c3};
      return this;
    }

    /**
     * Sets the share of striped or checkered backgrounds.
     *
     * @param share 0 to 1
     * @return this builder
     */
    public Builder optPatternShare(double share) {
      checkArgument(share >= 0 && share <= 1, "share must be in [0, 1], got %s", share);
      this.patternShare = share;
      return this;
    }

    /**
     * Builds the world.
     *
     * @return the world
     */
    public SyntheticWorld build() {
      return new SyntheticWorld(this);
    }
  }
}
