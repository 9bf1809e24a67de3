package io.gptedit.models.nn;

import ai.djl.Device;
import com.sun.jna.Function;
import com.sun.jna.NativeLibrary;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the CPU memory that freed tensors leave in the process, instead of handing it back to the operating system
 * after every op.
 *
 * <p>libtorch's CPU allocator is the C library's {@code malloc}. With glibc's defaults a training step pays for
 * its own memory twice: a tensor above the mmap threshold (128 KiB at first) gets fresh pages from the kernel, which
 * must be zeroed and faulted in, and freeing it unmaps them again; and the free space at the top of a heap is
 * trimmed back to the kernel. Python PyTorch mostly escapes this because its ops run on the process's main thread,
 * whose heap raises the thresholds by itself; the JVM runs {@code main} on another thread, whose arena does not.
 * Measured on the lab's editor (docs/benchmarks.md): a third of a CPU core spent in the kernel and step times of
 * 135 to 630 ms, against 130 to 200 ms with the settings below.
 *
 * <p>{@link #tune()} sets, once per process, through {@code mallopt}: tensors up to 32 MiB (glibc's largest
 * threshold) come from the heap, freed heap memory is handed back only above 1 GiB of free space, and each heap
 * growth takes 64 MiB more than asked. The price is that memory a step freed stays in the process for the next
 * step (what PyTorch's GPU caching allocator does on purpose). {@code ModelWeights} and {@code FineTuner} call it (through {@link
 * #tuneFor}) whenever they place weights on the CPU, so every model, editor and trainer on the CPU gets it. It does nothing on other systems, on
 * a C library without {@code mallopt}, or when the system property {@value #PROPERTY} is {@code system} (for
 * example to measure peak memory the way the planner's test does).
 *
 * @since 0.1
 */
public final class CpuAllocator {
  /** The system property that switches the tuning off when set to {@code system} (default {@code tuned}). */
  public static final String PROPERTY = "gptedit.cpuAllocator";

  private static final Logger LOG = LoggerFactory.getLogger(CpuAllocator.class);
  private static final int M_TRIM_THRESHOLD = -1;
  private static final int M_TOP_PAD = -2;
  private static final int M_MMAP_THRESHOLD = -3;
  private static final int MMAP_THRESHOLD = 32 << 20;
  private static final int TRIM_THRESHOLD = 1 << 30;
  private static final int TOP_PAD = 64 << 20;

  private static Boolean tuned;

  private CpuAllocator() {}

  /**
   * Tunes the C library's allocator for tensor work, the first time it is called in the process (later calls return
   * the first call's answer).
   *
   * @return whether the tuning is in effect: false when switched off by {@value #PROPERTY}, not on Linux, or when
   *     the C library refused a setting
   */
  public static synchronized boolean tune() {
    if (tuned == null) {
      tuned = apply();
    }
    return tuned;
  }

  /**
   * Calls {@link #tune()} when arrays are about to be placed on the CPU; does nothing for a GPU (its memory is not
   * the C library's).
   *
   * @param device the device (null: the engine's default)
   */
  public static void tuneFor(Device device) {
    if (!(device == null ? Devices.defaultDevice() : device).isGpu()) {
      tune();
    }
  }

  /**
   * Returns whether {@link #tune()} has put the tuning in effect in this process.
   *
   * @return true once a call succeeded
   */
  public static synchronized boolean isTuned() {
    return Boolean.TRUE.equals(tuned);
  }

  private static boolean apply() {
    String mode = System.getProperty(PROPERTY, "tuned").trim().toLowerCase(Locale.ROOT);
    if (mode.equals("system")) {
      return false;
    }
    if (!mode.equals("tuned")) {
      throw new IllegalArgumentException(
          "system property " + PROPERTY + " must be 'tuned' or 'system', got '" + System.getProperty(PROPERTY) + "'");
    }
    if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux")) {
      return false;
    }
    try {
      Function mallopt = NativeLibrary.getInstance("c").getFunction("mallopt");
      // mallopt returns 1 on success; setting the mmap threshold also stops glibc's own threshold adjustment.
      boolean ok = mallopt.invokeInt(new Object[] {M_MMAP_THRESHOLD, MMAP_THRESHOLD}) == 1;
      ok &= mallopt.invokeInt(new Object[] {M_TRIM_THRESHOLD, TRIM_THRESHOLD}) == 1;
      ok &= mallopt.invokeInt(new Object[] {M_TOP_PAD, TOP_PAD}) == 1;
      if (!ok) {
        LOG.debug("mallopt refused a setting; the C library's allocator keeps (some of) its defaults");
      }
      return ok;
    } catch (UnsatisfiedLinkError | RuntimeException e) {
      // musl and other C libraries without mallopt: nothing to tune, and nothing wrong.
      LOG.debug("no mallopt in this C library ({}); allocator left as it is", e.getMessage());
      return false;
    }
  }
}
