package io.gptedit.testkit.synthetic;

import io.gptedit.core.geometry.Box;
import io.gptedit.core.geometry.Size;
import io.gptedit.core.image.RgbImage;
import io.gptedit.core.remote.GeneratedImage;
import io.gptedit.core.remote.ImageEditRequest;
import io.gptedit.core.remote.ImageEditService;
import io.gptedit.core.remote.RemoteException;
import io.gptedit.core.remote.Usage;
import io.gptedit.data.synthetic.EditOp;
import io.gptedit.data.synthetic.Fingerprint;
import io.gptedit.data.synthetic.Scene;
import io.gptedit.data.synthetic.SceneText;
import io.gptedit.data.synthetic.SyntheticWorld;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;

/**
 * The image-edit stand-in. For a (possibly white-padded) input it
 *
 * <ol>
 *   <li>finds the content box by trimming rows and columns of pure white ({@code #ffffff}) from each edge (scene
 *       colours are never white, so this recovers the padding exactly);
 *   <li>looks the content up in the world's registry to recover the scene;
 *   <li>parses the prompt into edits ({@link SceneText#parseInstruction}) and applies them;
 *   <li>renders the edited scene at the requested size into the content box mapped to that size (each edge
 *       {@code e} maps to {@code floor((2 e G + C) / (2 C))}, the rule of
 *       {@link io.gptedit.core.geometry.PadCropPlan#cropBoxAt}), leaving the padding white.
 * </ol>
 *
 * <p>A share {@link StandInOptions#defectRate()} of padded requests (chosen by hashing prompt and image) gets one
 * of two generator defects GPT-Image-1 shows: the content shrunk away from a padded side (residual padding), or
 * the padding painted with the background colour (a padding-mask mismatch).
 */
final class SyntheticEditService implements ImageEditService {
  private static final int WHITE = 0xFFFFFF;

  private final SyntheticWorld world;
  private final StandInOptions options;

  SyntheticEditService(SyntheticWorld world, StandInOptions options) {
    this.world = world;
    this.options = options;
  }

  @Override
  public GeneratedImage edit(ImageEditRequest request) {
    options.pause();
    RgbImage in = request.image();
    Box box = contentBox(in);
    if (box == null) {
      throw new RemoteException(RemoteException.Kind.BAD_REQUEST, 400, "input image is blank white", null);
    }
    RgbImage content = in.crop(box.x(), box.y(), box.width(), box.height());
    Scene scene = world.lookup(content).orElseThrow(
        () -> new RemoteException(
            RemoteException.Kind.BAD_REQUEST, 400, "input image is not a scene of this synthetic world", null));
    Scene target = scene;
    try {
      for (EditOp op : SceneText.parseInstruction(request.prompt())) {
        target = op.apply(target);
      }
    } catch (IllegalArgumentException e) {
      throw new RemoteException(RemoteException.Kind.BAD_REQUEST, 400, "stand-in edit: " + e.getMessage(), e);
    }
    Size g = request.size();
    int cw = in.width();
    int ch = in.height();
    int x0 = edge(box.x(), g.width(), cw);
    int x1 = Math.max(x0 + 1, edge(box.right(), g.width(), cw));
    int y0 = edge(box.y(), g.height(), ch);
    int y1 = Math.max(y0 + 1, edge(box.bottom(), g.height(), ch));
    x1 = Math.min(x1, g.width());
    y1 = Math.min(y1, g.height());
    x0 = Math.min(x0, x1 - 1);
    y0 = Math.min(y0, y1 - 1);
    byte[] px = new byte[g.width() * g.height() * 3];
    Arrays.fill(px, (byte) 0xFF);
    boolean padded = box.x() > 0 || box.y() > 0 || box.right() < cw || box.bottom() < ch;
    int defect = padded ? defect(request.prompt(), content) : 0;
    if (defect == 2) {
      int c = target.background().first().rgb();
      for (int i = 0; i < px.length; i += 3) {
        px[i] = (byte) (c >>> 16);
        px[i + 1] = (byte) (c >>> 8);
        px[i + 2] = (byte) c;
      }
    }
    int rx0 = x0;
    int ry0 = y0;
    int rx1 = x1;
    int ry1 = y1;
    if (defect == 1) {
      // Shrink the content away from its padded sides by 4 % of the output (well past the 0.5 % threshold).
      int dx = Math.max(1, g.width() / 25);
      int dy = Math.max(1, g.height() / 25);
      if (box.x() > 0 && rx1 - rx0 > dx) {
        rx0 += dx;
      } else if (box.right() < cw && rx1 - rx0 > dx) {
        rx1 -= dx;
      }
      if (box.y() > 0 && ry1 - ry0 > dy) {
        ry0 += dy;
      } else if (box.bottom() < ch && ry1 - ry0 > dy) {
        ry1 -= dy;
      }
    }
    target.renderInto(px, g.width(), rx0, ry0, rx1 - rx0, ry1 - ry0);
    return new GeneratedImage(RgbImage.of(g.width(), g.height(), px), usage(request.prompt(), in, g), options.model());
  }

  /** 0 for none, 1 for shrunk content, 2 for painted padding. */
  private int defect(String prompt, RgbImage content) {
    if (options.defectRate() <= 0) {
      return 0;
    }
    Fingerprint f = Fingerprint.of(content);
    long h = SyntheticServices.mix(f.high() * 31 + f.low() + prompt.hashCode());
    double u = (h >>> 11) * 0x1.0p-53;
    if (u >= options.defectRate()) {
      return 0;
    }
    return (h & 1) == 0 ? 1 : 2;
  }

  private static int edge(int e, int g, int c) {
    return (int) ((2L * e * g + c) / (2L * c));
  }

  /** Returns the box left after trimming all-white edge lines, or null if the image is all white. */
  static Box contentBox(RgbImage img) {
    int w = img.width();
    int h = img.height();
    ByteBuffer b = img.buffer();
    int top = 0;
    while (top < h && rowWhite(b, w, top, 0, w)) {
      top++;
    }
    if (top == h) {
      return null;
    }
    int bottom = h;
    while (bottom > top && rowWhite(b, w, bottom - 1, 0, w)) {
      bottom--;
    }
    int left = 0;
    while (left < w && colWhite(b, w, left, top, bottom)) {
      left++;
    }
    int right = w;
    while (right > left && colWhite(b, w, right - 1, top, bottom)) {
      right--;
    }
    return new Box(left, top, right - left, bottom - top);
  }

  private static boolean rowWhite(ByteBuffer b, int w, int y, int x0, int x1) {
    for (int x = x0; x < x1; x++) {
      if (!white(b, (y * w + x) * 3)) {
        return false;
      }
    }
    return true;
  }

  private static boolean colWhite(ByteBuffer b, int w, int x, int y0, int y1) {
    for (int y = y0; y < y1; y++) {
      if (!white(b, (y * w + x) * 3)) {
        return false;
      }
    }
    return true;
  }

  private static boolean white(ByteBuffer b, int i) {
    return ((b.get(i) & 0xFF) << 16 | (b.get(i + 1) & 0xFF) << 8 | (b.get(i + 2) & 0xFF)) == WHITE;
  }

  /**
   * Usage as the stand-in reports it, modelled on GPT-Image-1's accounting: prompt words as text tokens, 85 plus
   * 170 per 512-pixel tile of the input image, and 4160 output tokens per 1024x1024 of output area.
   */
  static Usage usage(String prompt, RgbImage input, Size output) {
    long in = prompt.split("\\s+").length;
    if (input != null) {
      long tiles = (long) Math.ceil(input.width() / 512.0) * (long) Math.ceil(input.height() / 512.0);
      in += 85 + 170 * tiles;
    }
    long out = Math.round(4160.0 * output.width() * output.height() / (1024.0 * 1024.0));
    return new Usage(in, out, 1);
  }

  @Override
  public String toString() {
    return "SyntheticEditService" + List.of(options.model());
  }
}
