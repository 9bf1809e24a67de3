package io.gptedit.models.nn;

import static java.util.Objects.requireNonNull;

import ai.djl.Device;
import ai.djl.engine.Engine;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Names the device the models run on, and refuses one the engine does not have before any native work starts.
 *
 * <p>Every part that takes a device ({@code ModelWeights}, the model loaders, {@code DiffusionEditor.Builder},
 * {@code EditorSpec.build}, {@code EditorCheckpoint.load}, ...) checks it with {@link #require}, so asking for a GPU
 * on a machine (or a libtorch build) without one fails with a {@link DeviceException} that names the device and the
 * number of GPUs the engine sees, never with a native crash. Without a device every part uses the engine's default
 * ({@link #defaultDevice()}), as before.
 *
 * <pre>{@code
 * Device device = Devices.require(Devices.parse("gpu:0"));
 * try (DiffusionEditor editor = EditorCheckpoint.load(runDir, device)) { ... }
 * }</pre>
 *
 * @since 0.1
 */
public final class Devices {
  private static final Pattern NAME = Pattern.compile("(cpu|gpu|cuda)(?::(\\d{1,4}))?");

  private Devices() {}

  /**
   * Parses a device name: {@code cpu}; {@code gpu} or {@code cuda} (the first GPU); {@code gpu:N} or {@code
   * cuda:N}; or {@code default}, the engine's {@link #defaultDevice()}. Case is ignored. Only {@code default} asks
   * the engine anything; whether the device exists is {@link #require}'s question.
   *
   * @param name the name
   * @return the device
   * @throws DeviceException naming the input if it is none of these
   */
  public static Device parse(String name) {
    if (name == null) {
      throw new DeviceException("no device name given: use cpu, gpu, gpu:N, cuda:N or default");
    }
    String lower = name.toLowerCase(Locale.ROOT);
    if (lower.equals("default")) {
      return defaultDevice();
    }
    Matcher m = NAME.matcher(lower);
    if (!m.matches() || (m.group(1).equals("cpu") && m.group(2) != null)) {
      throw new DeviceException(
          "'" + name + "' is not a device: use cpu, gpu, gpu:N, cuda:N (N = 0, 1, ...) or default");
    }
    return m.group(1).equals("cpu") ? Device.cpu() : Device.gpu(m.group(2) == null ? 0 : Integer.parseInt(m.group(2)));
  }

  /**
   * Checks that the engine can place arrays on a device: the CPU always; a GPU when its index is below the number
   * of GPUs the engine sees ({@code Engine.getGpuCount()}: 0 with a CPU-only libtorch).
   *
   * @param device the device
   * @return {@code device}
   * @throws DeviceException naming the device and the engine's GPU count if it is not available, or if it is
   *     neither a CPU nor a GPU
   */
  public static Device require(Device device) {
    requireNonNull(device, "device");
    if (Device.Type.CPU.equals(device.getDeviceType())) {
      return device;
    }
    if (!device.isGpu()) {
      throw new DeviceException(
          "device '" + device + "' is neither the CPU nor a GPU: gptedit runs on cpu or gpu:N");
    }
    Engine engine = Engine.getInstance();
    int gpus = engine.getGpuCount();
    if (device.getDeviceId() < 0 || device.getDeviceId() >= gpus) {
      throw new DeviceException(
          name(device) + " is not available: the " + engine.getEngineName() + " engine " + engine.getVersion()
              + " sees " + gpus + (gpus == 1 ? " GPU" : " GPUs")
              + (gpus == 0
                  ? " (a CPU-only libtorch, or no CUDA device): run on cpu, or put DJL's CUDA natives on the class"
                      + " path (docs/models.md, Devices)"
                  : ": use gpu:0 to gpu:" + (gpus - 1)));
    }
    return device;
  }

  /**
   * Returns the engine's default device: the first GPU when the engine sees one, else the CPU. Parts built without
   * a device use it.
   *
   * @return the device
   */
  public static Device defaultDevice() {
    return Engine.getInstance().defaultDevice();
  }

  /**
   * Returns a device's name in the form {@link #parse} reads: {@code cpu} or {@code gpu:N}.
   *
   * @param device the device
   * @return the name
   */
  public static String name(Device device) {
    requireNonNull(device, "device");
    if (Device.Type.CPU.equals(device.getDeviceType())) {
      return "cpu";
    }
    return device.getDeviceType() + ":" + device.getDeviceId();
  }
}
