package io.gptedit.lab;

import io.gptedit.core.image.RgbImage;
import io.gptedit.models.train.StepMetrics;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;

/** Draws the lab's pictures with Java2D and formats its table. */
final class LabReport {
  private LabReport() {}

  /** The table's metric columns, in order, with their formats. */
  private static final String[][] COLUMNS = {
    {HeldOutBenchmark.OP, "%8.3f"}, {HeldOutBenchmark.ES_MEAN, "%8.3f"}, {SyntheticScorer.IF, "%8.3f"},
    {SyntheticScorer.IP, "%8.3f"}, {SyntheticScorer.IP_BG, "%8.3f"}, {SyntheticScorer.PSNR, "%8.2f"},
    {SyntheticScorer.MAE, "%8.2f"}
  };

  /** Formats the editors' table: one row per editor, one column per metric. */
  static String table(List<HeldOutBenchmark.Scores> rows, int tolerance) {
    StringBuilder sb = new StringBuilder();
    int width = Math.max(38, rows.stream().mapToInt(r -> r.editor().length()).max().orElse(0));
    sb.append(String.format(Locale.ROOT, "%-" + width + "s", "editor"));
    for (String[] c : COLUMNS) {
      sb.append(String.format(Locale.ROOT, " %8s", c[0]));
    }
    sb.append(System.lineSeparator());
    for (HeldOutBenchmark.Scores r : rows) {
      sb.append(row(r.editor(), r.overall(), width));
    }
    sb.append(
        String.format(
            Locale.ROOT,
            "OP: untouched objects kept (>= 75%% of their pixels within %d of the input); ES: edit success, mean over"
                + " edit types; IF/IP: pixels within %d of the target inside / of the input outside the edit mask;"
                + " IP_bg: background pixels only; PSNR/MAE against the exact target.%n",
            tolerance, tolerance));
    return sb.toString();
  }

  /** Formats one editor's scores per edit type. */
  static String byType(HeldOutBenchmark.Scores scores) {
    StringBuilder sb = new StringBuilder();
    String title = scores.editor() + ", per edit type";
    if (title.length() > 38) { // a long name gets its own line, so the columns stay under the headers
      sb.append(title).append(System.lineSeparator());
      title = "";
    }
    sb.append(String.format(Locale.ROOT, "%-38s", title));
    for (String[] c : COLUMNS) {
      sb.append(String.format(Locale.ROOT, " %8s", c[0]));
    }
    sb.append(System.lineSeparator());
    scores.byType().forEach((type, m) -> sb.append(row("  " + type, m, 38)));
    return sb.toString();
  }

  private static String row(String name, Map<String, Double> m, int width) {
    StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-" + width + "s", name));
    for (String[] c : COLUMNS) {
      Double v = m.get(c[0]);
      sb.append(' ').append(v == null ? String.format(Locale.ROOT, "%8s", "-") : String.format(Locale.ROOT, c[1], v));
    }
    return sb.append(System.lineSeparator()).toString();
  }

  /** Draws the per-step loss (thin) and its 25-step moving average (thick) on a log scale. */
  static void lossCurve(List<StepMetrics> steps, Path png) {
    int w = 720;
    int h = 400;
    int left = 70;
    int right = 20;
    int top = 40;
    int bottom = 50;
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, w, h);
      double lo = Double.MAX_VALUE;
      double hi = -Double.MAX_VALUE;
      for (StepMetrics s : steps) {
        lo = Math.min(lo, s.loss());
        hi = Math.max(hi, s.loss());
      }
      lo = Math.log10(Math.max(lo, 1e-6));
      hi = Math.log10(Math.max(hi, 1e-6));
      if (hi - lo < 1e-3) {
        hi = lo + 1;
      }
      int pw = w - left - right;
      int ph = h - top - bottom;
      g.setColor(new Color(230, 230, 230));
      g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
      for (int k = (int) Math.floor(lo); k <= Math.ceil(hi); k++) {
        for (int sub = 1; sub <= 9; sub++) {
          double v = k + Math.log10(sub);
          if (v < lo || v > hi) {
            continue;
          }
          int y = top + (int) Math.round(ph * (hi - v) / (hi - lo));
          g.setColor(sub == 1 ? new Color(200, 200, 200) : new Color(238, 238, 238));
          g.drawLine(left, y, left + pw, y);
          if (sub == 1 || sub == 2 || sub == 5) {
            g.setColor(Color.DARK_GRAY);
            g.drawString(String.format(Locale.ROOT, "%.3g", sub * Math.pow(10, k)), 8, y + 4);
          }
        }
      }
      g.setColor(Color.DARK_GRAY);
      g.drawRect(left, top, pw, ph);
      int n = steps.size();
      drawSeries(g, steps, 1, new Color(120, 160, 220), 1f, left, top, pw, ph, lo, hi);
      drawSeries(g, steps, 25, new Color(20, 60, 160), 2.5f, left, top, pw, ph, lo, hi);
      g.setColor(Color.BLACK);
      g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
      g.drawString("edit lab: training loss (log scale; thin = per step, thick = 25-step mean)", left, 24);
      g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
      g.drawString("step", left + pw / 2 - 10, h - 15);
      for (int k = 0; k <= 4; k++) {
        long step = Math.round((double) n * k / 4);
        int x = left + (int) Math.round(pw * (double) k / 4);
        g.drawString(Long.toString(step), x - 10, top + ph + 16);
      }
    } finally {
      g.dispose();
    }
    write(img, png);
  }

  private static void drawSeries(
      Graphics2D g,
      List<StepMetrics> steps,
      int window,
      Color color,
      float width,
      int left,
      int top,
      int pw,
      int ph,
      double lo,
      double hi) {
    int n = steps.size();
    if (n == 0) {
      return;
    }
    g.setColor(color);
    g.setStroke(new BasicStroke(width));
    int px = -1;
    int py = -1;
    double sum = 0;
    for (int i = 0; i < n; i++) {
      sum += steps.get(i).loss();
      if (i >= window) {
        sum -= steps.get(i - window).loss();
      }
      double mean = sum / Math.min(i + 1, window);
      int x = left + (int) Math.round(pw * (n == 1 ? 0 : (double) i / (n - 1)));
      double v = Math.log10(Math.max(mean, 1e-6));
      int y = top + (int) Math.round(ph * (hi - v) / (hi - lo));
      if (px >= 0) {
        g.drawLine(px, py, x, y);
      }
      px = x;
      py = y;
    }
    g.setStroke(new BasicStroke(1f));
  }

  /**
   * One contact-sheet row.
   *
   * @param input the input
   * @param text the instruction and any per-row scores
   * @param output the editor's output
   * @param target the exact target
   */
  record SheetRow(RgbImage input, String text, RgbImage output, RgbImage target) {}

  /** Draws rows of input | instruction | output | target, images scaled up with nearest neighbour. */
  static void contactSheet(List<SheetRow> sheet, String outputTitle, Path png) {
    int rows = sheet.size();
    int side = sheet.get(0).input().width();
    int scale = Math.max(1, 96 / side);
    int cell = side * scale;
    int textW = 300;
    int pad = 8;
    // A long output title ("output (finetuned-kontext-misaligned1)") is wrapped to the output column's width at
    // spaces and hyphens; the header grows with it, so it never runs into the target column or the first row.
    Font titleFont = new Font(Font.SANS_SERIF, Font.BOLD, 13);
    List<String> title = wrapTitle(outputTitle, scratchMetrics(titleFont), cell + pad - 2);
    int head = Math.max(44, 20 + 16 * title.size());
    int w = pad + cell + pad + textW + pad + cell + pad + cell + pad;
    int h = head + rows * (cell + pad) + pad;
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, w, h);
      g.setColor(Color.BLACK);
      g.setFont(titleFont);
      int xIn = pad;
      int xText = xIn + cell + pad;
      int xOut = xText + textW + pad;
      int xTarget = xOut + cell + pad;
      g.drawString("input", xIn, 20);
      g.drawString("instruction", xText, 20);
      for (int i = 0; i < title.size(); i++) {
        g.drawString(title.get(i), xOut, 20 + 16 * i);
      }
      g.drawString("target", xTarget, 20);
      g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
      FontMetrics fm = g.getFontMetrics();
      for (int i = 0; i < rows; i++) {
        int y = head + i * (cell + pad);
        SheetRow s = sheet.get(i);
        g.drawImage(scaled(s.input(), scale), xIn, y, null);
        g.drawImage(scaled(s.output(), scale), xOut, y, null);
        g.drawImage(scaled(s.target(), scale), xTarget, y, null);
        int ty = y + fm.getAscent();
        for (String line : wrap(s.text(), fm, textW)) {
          if (ty > y + cell) {
            break;
          }
          g.drawString(line, xText, ty);
          ty += fm.getHeight();
        }
      }
    } finally {
      g.dispose();
    }
    write(img, png);
  }

  /** The metrics of a font as the contact sheet draws it (on a scratch image, so before the sheet exists). */
  static FontMetrics scratchMetrics(Font font) {
    Graphics2D g = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB).createGraphics();
    try {
      return g.getFontMetrics(font);
    } finally {
      g.dispose();
    }
  }

  /** Splits a title after spaces and hyphens into lines no wider than {@code width} (a longer word stands alone). */
  static List<String> wrapTitle(String title, FontMetrics fm, int width) {
    List<String> lines = new java.util.ArrayList<>();
    StringBuilder line = new StringBuilder();
    for (String part : title.split("(?<=[ -])")) {
      if (line.length() > 0 && fm.stringWidth((line + part).strip()) > width) {
        lines.add(line.toString().strip());
        line.setLength(0);
      }
      line.append(part);
    }
    if (line.length() > 0) {
      lines.add(line.toString().strip());
    }
    return lines;
  }

  private static BufferedImage scaled(RgbImage src, int scale) {
    int w = src.width();
    int h = src.height();
    byte[] px = src.copyRgb();
    BufferedImage out = new BufferedImage(w * scale, h * scale, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < h * scale; y++) {
      for (int x = 0; x < w * scale; x++) {
        int p = ((y / scale) * w + x / scale) * 3;
        out.setRGB(x, y, ((px[p] & 0xFF) << 16) | ((px[p + 1] & 0xFF) << 8) | (px[p + 2] & 0xFF));
      }
    }
    return out;
  }

  private static List<String> wrap(String text, FontMetrics fm, int width) {
    List<String> lines = new ArrayList<>();
    StringBuilder line = new StringBuilder();
    for (String word : text.split("\\s+")) {
      String candidate = line.length() == 0 ? word : line + " " + word;
      if (fm.stringWidth(candidate) > width && line.length() > 0) {
        lines.add(line.toString());
        line = new StringBuilder(word);
      } else {
        line = new StringBuilder(candidate);
      }
    }
    if (line.length() > 0) {
      lines.add(line.toString());
    }
    return lines;
  }

  private static void write(BufferedImage img, Path png) {
    try {
      if (!ImageIO.write(img, "png", png.toFile())) {
        throw new IOException("no PNG writer");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + png, e);
    }
  }
}
