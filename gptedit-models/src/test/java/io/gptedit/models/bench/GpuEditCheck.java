package io.gptedit.models.bench;

import ai.djl.Device;
import ai.djl.engine.Engine;
import io.gptedit.core.editor.EditOptions;
import io.gptedit.core.image.RgbImage;
import io.gptedit.models.editor.DiffusionEditor;
import io.gptedit.models.editor.Paradigm;
import io.gptedit.models.editor.TinyEditors;
import io.gptedit.models.nn.Devices;
import java.util.Locale;

/**
 * Runs the editing path (text encoder, VAE or pixel codec, transformer, Euler sampler, decoding) of each paradigm's
 * tiny random-weight editor ({@code TinyEditors}) on a device beside the CPU, with the same seeds, and prints how
 * far the two edited images are apart and each one's time per edit: the check that editors and samplers, not only
 * the trainer, run where the device API puts them. {@code tools/gpu/run.sh} runs it on the GPU machine.
 *
 * <p>Prints one {@code result check=edit ...} line per paradigm: {@code max_diff} and {@code mean_diff} in 8-bit
 * levels over every channel of every pixel, {@code cpu_ms} and {@code device_ms} (the median of 5 edits after one).
 *
 * <p>Argument: the device ({@code gpu:0} by default; {@code cpu} compares the CPU with itself, which must give 0).
 */
public final class GpuEditCheck {
  private GpuEditCheck() {}

  public static void main(String[] args) {
    System.setProperty("ai.djl.offline", "true");
    Device device = Devices.require(Devices.parse(args.length > 0 ? args[0] : "gpu:0"));
    System.out.printf(Locale.ROOT, "GpuEditCheck: PyTorch %s, device %s%n", Engine.getEngine("PyTorch").getVersion(),
        Devices.name(device));
    int side = 64;
    byte[] rgb = new byte[side * side * 3];
    for (int y = 0; y < side; y++) {
      for (int x = 0; x < side; x++) {
        int i = 3 * (y * side + x);
        rgb[i] = (byte) (4 * x);
        rgb[i + 1] = (byte) (4 * y);
        rgb[i + 2] = (byte) ((x / 16 + y / 16) % 2 == 0 ? 40 : 220);
      }
    }
    RgbImage input = RgbImage.of(side, side, rgb);
    EditOptions options = EditOptions.builder().optSeed(11).build();
    for (Paradigm p : Paradigm.values()) {
      try (DiffusionEditor onCpu = TinyEditors.of(p, 5, Device.cpu());
          DiffusionEditor onDevice = TinyEditors.of(p, 5, device)) {
        RgbImage a = onCpu.edit(input, "turn the blue squares red", options);
        RgbImage b = onDevice.edit(input, "turn the blue squares red", options);
        byte[] x = a.copyRgb();
        byte[] y = b.copyRgb();
        int max = 0;
        long sum = 0;
        for (int i = 0; i < x.length; i++) {
          int d = Math.abs((x[i] & 0xff) - (y[i] & 0xff));
          max = Math.max(max, d);
          sum += d;
        }
        System.out.printf(Locale.ROOT,
            "result check=edit paradigm=%s device=%s max_diff=%d mean_diff=%.4f cpu_ms=%.1f device_ms=%.1f%n",
            p, Devices.name(device), max, sum / (double) x.length, medianMs(onCpu, input, options),
            medianMs(onDevice, input, options));
      }
    }
  }

  private static double medianMs(DiffusionEditor editor, RgbImage input, EditOptions options) {
    double[] ms = new double[5];
    for (int i = 0; i < ms.length; i++) {
      long t0 = System.nanoTime();
      editor.edit(input, "turn the blue squares red", options);
      ms[i] = (System.nanoTime() - t0) / 1e6;
    }
    java.util.Arrays.sort(ms);
    return ms[ms.length / 2];
  }
}
