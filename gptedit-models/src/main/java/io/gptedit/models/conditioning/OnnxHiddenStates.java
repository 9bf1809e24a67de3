package io.gptedit.models.conditioning;

import static java.util.Objects.requireNonNull;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.gptedit.core.GpteditException;
import io.gptedit.core.image.RgbImage;
import io.gptedit.models.text.TextTokenizer;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.Map;

/**
 * MLLM hidden states from an exported ONNX graph run with ONNX Runtime: the instruction is tokenized, fed as the
 * graph's {@code input_ids} (int64, shape (1, L)), and the graph's first output (float, (1, L, d_m)) is returned.
 *
 * <p>This runs a graph's text path only: the image is not fed. A vision-language export that also needs pixel
 * inputs (Qwen2.5-VL) must be wrapped by its own implementation of {@link MllmHiddenStates}, or its states
 * precomputed ({@link PrecomputedHiddenStates}). Not thread-safe; close it to release the session.
 *
 * @since 0.1
 */
public final class OnnxHiddenStates implements MllmHiddenStates, AutoCloseable {
  private static final String INPUT = "input_ids";

  private final OrtEnvironment env;
  private final OrtSession session;
  private final TextTokenizer tokenizer;
  private final int maxTokens;
  private final Path model;

  /**
   * Loads the graph.
   *
   * @param model the {@code .onnx} file; it must have an {@code input_ids} input
   * @param tokenizer the MLLM's tokenizer
   * @param maxTokens the token budget, end-of-sequence included
   * @throws GpteditException if ONNX Runtime (an optional dependency) is missing, naming the dependency to add
   * @throws GpteditException if the graph cannot be loaded or lacks {@code input_ids}
   */
  public OnnxHiddenStates(Path model, TextTokenizer tokenizer, int maxTokens) {
    this.model = requireNonNull(model, "model");
    this.tokenizer = requireNonNull(tokenizer, "tokenizer");
    this.maxTokens = maxTokens;
    requireOnnxRuntime(model);
    this.env = OrtEnvironment.getEnvironment();
    try {
      this.session = env.createSession(model.toString(), new OrtSession.SessionOptions());
    } catch (Exception e) { // not OrtException: a catch of it would fail to link without ONNX Runtime
      throw new GpteditException(model + ": cannot load ONNX graph: " + e.getMessage(), e);
    }
    if (!session.getInputNames().contains(INPUT)) {
      closeSession();
      throw new GpteditException(model + ": ONNX graph has no '" + INPUT + "' input (it has "
          + session.getInputNames() + ")");
    }
  }

  @Override
  public NDArray hiddenStates(RgbImage image, String instruction, NDManager manager) {
    int[] ids = tokenizer.encode(instruction, maxTokens);
    long[] longs = new long[ids.length];
    for (int i = 0; i < ids.length; i++) {
      longs[i] = ids[i];
    }
    try (OnnxTensor input = OnnxTensor.createTensor(env, LongBuffer.wrap(longs), new long[] {1, ids.length});
        OrtSession.Result result = session.run(Map.of(INPUT, input))) {
      OnnxValue out = result.get(0);
      if (!(out instanceof OnnxTensor tensor)) {
        throw new GpteditException(model + ": first output is not a tensor");
      }
      long[] shape = tensor.getInfo().getShape();
      if (shape.length != 3 || shape[0] != 1 || shape[1] != ids.length) {
        throw new GpteditException(
            model + ": first output has shape " + java.util.Arrays.toString(shape) + ", expected (1, "
                + ids.length + ", d)");
      }
      FloatBuffer fb = tensor.getFloatBuffer();
      if (fb == null) {
        throw new GpteditException(model + ": first output is not float32");
      }
      float[] values = new float[fb.remaining()];
      fb.get(values);
      return manager.create(values, new Shape(shape));
    } catch (GpteditException e) {
      throw e;
    } catch (Exception e) { // OrtException and ONNX Runtime's unchecked failures
      throw new GpteditException(model + ": ONNX run failed: " + e.getMessage(), e);
    }
  }

  /**
   * Fails with the dependency to add when ONNX Runtime, optional in gptedit-models, is not on the class path (like
   * {@code OnnxProviderException.requireRuntime}, which this package cannot use without an import cycle).
   */
  private static void requireOnnxRuntime(Path model) {
    try {
      Class.forName("ai.onnxruntime.OrtEnvironment", false, OnnxHiddenStates.class.getClassLoader());
    } catch (ClassNotFoundException | LinkageError e) {
      throw new GpteditException(
          "OnnxHiddenStates(" + model + ") needs ONNX Runtime, an optional dependency of gptedit-models that is not"
              + " on the class path: add com.microsoft.onnxruntime:onnxruntime (CPU) or"
              + " com.microsoft.onnxruntime:onnxruntime_gpu (CUDA), version 1.22.0 (gptedit-bom manages it)",
          e);
    }
  }

  private void closeSession() {
    try {
      session.close();
    } catch (Exception e) {
      throw new GpteditException(model + ": cannot close ONNX session: " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    closeSession();
  }
}
