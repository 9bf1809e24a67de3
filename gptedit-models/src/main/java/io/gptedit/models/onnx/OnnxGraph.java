package io.gptedit.models.onnx;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.gptedit.models.onnx.OnnxEditorConfig.Dtype;
import io.gptedit.models.onnx.OnnxEditorConfig.Graph;
import io.gptedit.models.onnx.OnnxEditorConfig.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One ONNX Runtime session checked against its config at load, with the conversions between DJL arrays and ONNX
 * tensors: float inputs are handed to ONNX Runtime as direct buffers (float16 graphs get the array converted by
 * the engine first), id inputs are written into direct long buffers, and a pinned output is written by ONNX
 * Runtime straight into a direct buffer that DJL then wraps.
 */
final class OnnxGraph implements AutoCloseable {
  private final OrtEnvironment env;
  private final Path file;
  private final String key;
  private final Graph spec;
  private final OrtSession session;

  private OnnxGraph(OrtEnvironment env, Path file, String key, Graph spec, OrtSession session) {
    this.env = env;
    this.file = file;
    this.key = key;
    this.spec = spec;
    this.session = session;
  }

  /**
   * Opens and validates a graph.
   *
   * @throws OnnxGraphException if the file is missing, cannot be loaded or does not match the config
   * @throws OnnxProviderException if the CUDA provider cannot be added
   */
  static OnnxGraph open(OrtEnvironment env, Path folder, String key, Graph spec, OnnxDevice device) {
    return open(env, folder, key, spec, device, 0);
  }

  /** Opens and validates a graph; {@code intraOpThreads} 0 keeps ONNX Runtime's default. */
  static OnnxGraph open(
      OrtEnvironment env, Path folder, String key, Graph spec, OnnxDevice device, int intraOpThreads) {
    Path file = folder.resolve(spec.file());
    if (!Files.isRegularFile(file)) {
      throw new OnnxGraphException(file + ": the " + key + " graph file does not exist");
    }
    OrtSession session;
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      if (intraOpThreads > 0) {
        options.setIntraOpNumThreads(intraOpThreads);
      }
      if (device == OnnxDevice.CUDA) {
        try {
          options.addCUDA(0);
        } catch (OrtException e) {
          throw new OnnxProviderException(file + ": cannot add the CUDA execution provider: " + e.getMessage(), e);
        }
      }
      session = env.createSession(file.toString(), options);
    } catch (OrtException e) {
      throw new OnnxGraphException(file + ": cannot load the " + key + " graph: " + e.getMessage(), e);
    }
    OnnxGraph g = new OnnxGraph(env, file, key, spec, session);
    try {
      g.validate();
    } catch (RuntimeException e) {
      g.close();
      throw e;
    }
    return g;
  }

  private void validate() {
    Map<String, NodeInfo> inputs;
    Map<String, NodeInfo> outputs;
    try {
      inputs = session.getInputInfo();
      outputs = session.getOutputInfo();
    } catch (OrtException e) {
      throw new OnnxGraphException(file + ": cannot read the graph's inputs and outputs: " + e.getMessage(), e);
    }
    Set<String> named = new HashSet<>();
    for (Map.Entry<String, Tensor> e : spec.inputs().entrySet()) {
      check("input", e.getKey(), e.getValue(), inputs);
      named.add(e.getValue().name());
    }
    for (String name : inputs.keySet()) {
      if (!named.contains(name)) {
        throw new OnnxGraphException(
            file + ": graph input '" + name + "' is not named in the config, so it could not be fed (the "
                + key + " config names " + named + ")");
      }
    }
    for (Map.Entry<String, Tensor> e : spec.outputs().entrySet()) {
      check("output", e.getKey(), e.getValue(), outputs);
    }
  }

  private void check(String side, String role, Tensor t, Map<String, NodeInfo> actual) {
    String what = file + ": " + side + " '" + t.name() + "' (role " + key + "." + role + ")";
    NodeInfo node = actual.get(t.name());
    if (node == null) {
      throw new OnnxGraphException(what + " is not in the graph; its " + side + "s are " + actual.keySet());
    }
    if (!(node.getInfo() instanceof TensorInfo info)) {
      throw new OnnxGraphException(what + " is not a tensor: " + node.getInfo());
    }
    Optional<Dtype> dtype = dtypeOf(info.type);
    if (dtype.isEmpty() || dtype.get() != t.dtype()) {
      throw new OnnxGraphException(
          what + " has dtype " + info.type + " in the graph but " + t.dtype().json() + " in the config");
    }
    long[] g = info.getShape();
    long[] c = t.shape();
    boolean ok = g.length == c.length;
    for (int i = 0; ok && i < g.length; i++) {
      ok = g[i] < 0 || c[i] < 0 || g[i] == c[i];
    }
    if (!ok) {
      throw new OnnxGraphException(
          what + " has shape " + Arrays.toString(g) + " in the graph (-1 = dynamic) but " + Arrays.toString(c)
              + " in the config");
    }
  }

  private static Optional<Dtype> dtypeOf(OnnxJavaType type) {
    return switch (type) {
      case FLOAT -> Optional.of(Dtype.FLOAT32);
      case FLOAT16 -> Optional.of(Dtype.FLOAT16);
      case INT64 -> Optional.of(Dtype.INT64);
      default -> Optional.empty();
    };
  }

  Path file() {
    return file;
  }

  Graph spec() {
    return spec;
  }

  /** Wraps a float array as the input of {@code role}, converting to float16 when the graph wants it. */
  OnnxTensor floats(String role, NDArray array) throws OrtException {
    Tensor t = spec.inputs().get(role);
    NDArray a = array.getDataType() == DataType.FLOAT32 ? array : array.toType(DataType.FLOAT32, false);
    if (t.dtype() == Dtype.FLOAT16) {
      a = a.toType(DataType.FLOAT16, false);
    }
    ByteBuffer data = a.toByteBuffer(true);
    OnnxJavaType type = t.dtype() == Dtype.FLOAT16 ? OnnxJavaType.FLOAT16 : OnnxJavaType.FLOAT;
    return OnnxTensor.createTensor(env, data, a.getShape().getShape(), type);
  }

  /** Writes integer rows (ids) into a direct long buffer, shaped (rows, columns). */
  OnnxTensor ids(int[][] rows) throws OrtException {
    int cols = rows.length == 0 ? 0 : rows[0].length;
    LongBuffer buf = ByteBuffer.allocateDirect(rows.length * cols * Long.BYTES).order(ByteOrder.nativeOrder())
        .asLongBuffer();
    for (int[] row : rows) {
      for (int v : row) {
        buf.put(v);
      }
    }
    buf.rewind();
    return OnnxTensor.createTensor(env, buf, new long[] {rows.length, cols});
  }

  /** Writes token ids into a direct long buffer, shaped (1, L). */
  OnnxTensor tokenIds(int[] ids) throws OrtException {
    LongBuffer buf = ByteBuffer.allocateDirect(ids.length * Long.BYTES).order(ByteOrder.nativeOrder()).asLongBuffer();
    for (int v : ids) {
      buf.put(v);
    }
    buf.rewind();
    return OnnxTensor.createTensor(env, buf, new long[] {1, ids.length});
  }

  /**
   * Runs the graph and returns its outputs by role as float32 arrays attached to {@code manager}.
   *
   * @param inputs tensors by role; closed by this method
   * @param pinnedShapes output roles whose shape is known in advance: ONNX Runtime writes them straight into a
   *     direct buffer that DJL wraps
   */
  Map<String, NDArray> run(Map<String, OnnxTensor> inputs, Map<String, long[]> pinnedShapes, NDManager manager) {
    List<AutoCloseable> owned = new ArrayList<>(inputs.values());
    try {
      Map<String, OnnxTensor> feed = new LinkedHashMap<>();
      inputs.forEach((role, tensor) -> feed.put(spec.inputs().get(role).name(), tensor));
      Map<String, OnnxTensor> pinned = new LinkedHashMap<>();
      Map<String, ByteBuffer> pinnedData = new LinkedHashMap<>();
      for (Map.Entry<String, long[]> e : pinnedShapes.entrySet()) {
        Tensor t = spec.outputs().get(e.getKey());
        long count = Arrays.stream(e.getValue()).reduce(1, Math::multiplyExact);
        boolean half = t.dtype() == Dtype.FLOAT16;
        ByteBuffer data =
            ByteBuffer.allocateDirect(Math.toIntExact(count * (half ? 2 : 4))).order(ByteOrder.nativeOrder());
        OnnxTensor out =
            OnnxTensor.createTensor(env, data, e.getValue(), half ? OnnxJavaType.FLOAT16 : OnnxJavaType.FLOAT);
        owned.add(out);
        pinned.put(t.name(), out);
        pinnedData.put(e.getKey(), data);
      }
      Set<String> wanted = new HashSet<>();
      for (Map.Entry<String, Tensor> e : spec.outputs().entrySet()) {
        if (!pinnedShapes.containsKey(e.getKey())) {
          wanted.add(e.getValue().name());
        }
      }
      Map<String, NDArray> result = new LinkedHashMap<>();
      try (OrtSession.Result r = session.run(feed, wanted, pinned)) {
        for (Map.Entry<String, Tensor> e : spec.outputs().entrySet()) {
          String role = e.getKey();
          Tensor t = e.getValue();
          if (pinnedData.containsKey(role)) {
            result.put(role, toFloat32(manager.create(pinnedData.get(role), new Shape(pinnedShapes.get(role)),
                dataType(t.dtype()))));
            continue;
          }
          OnnxValue v = r.get(t.name()).orElseThrow();
          if (!(v instanceof OnnxTensor tensor)) {
            throw new OnnxGraphException(file + ": output '" + t.name() + "' is not a tensor");
          }
          ByteBuffer bytes = tensor.getByteBuffer();
          if (bytes == null) {
            throw new OnnxGraphException(file + ": output '" + t.name() + "' has no readable data");
          }
          result.put(role, toFloat32(manager.create(bytes, new Shape(tensor.getInfo().getShape()),
              dataType(t.dtype()))));
        }
      }
      return result;
    } catch (OrtException e) {
      throw new OnnxGraphException(file + ": running the " + key + " graph failed: " + e.getMessage(), e);
    } finally {
      for (AutoCloseable c : owned) {
        try {
          c.close();
        } catch (Exception e) {
          throw new OnnxGraphException(file + ": cannot release an ONNX tensor: " + e.getMessage(), e);
        }
      }
    }
  }

  private static DataType dataType(Dtype d) {
    return d == Dtype.FLOAT16 ? DataType.FLOAT16 : DataType.FLOAT32;
  }

  private static NDArray toFloat32(NDArray a) {
    return a.getDataType() == DataType.FLOAT32 ? a : a.toType(DataType.FLOAT32, false);
  }

  @Override
  public void close() {
    try {
      session.close();
    } catch (OrtException e) {
      throw new OnnxGraphException(file + ": cannot close the ONNX session: " + e.getMessage(), e);
    }
  }
}
