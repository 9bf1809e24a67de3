package io.gptedit.models.onnx;

import static io.gptedit.models.onnx.OnnxFixtures.fixture;
import static io.gptedit.models.onnx.OnnxFixtures.maxAbsDiff;
import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import io.gptedit.models.flux.FluxInput;
import io.gptedit.models.flux.FluxTransformer;
import io.gptedit.models.onnx.OnnxEditorConfig.Dtype;
import io.gptedit.models.safetensors.SafetensorsFile;
import io.gptedit.models.text.T5Config;
import io.gptedit.models.text.T5Encoder;
import io.gptedit.models.vae.AutoencoderKL;
import io.gptedit.models.vae.VaeConfig;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The exported graphs reproduce the PyTorch references and the DJL implementations of the same weights. */
class OnnxGraphFixtureTest {
  static final OrtEnvironment ENV = OrtEnvironment.getEnvironment();

  static int[][] ids(long[] flat) {
    int[][] out = new int[flat.length / 3][3];
    for (int i = 0; i < flat.length; i++) {
      out[i / 3][i % 3] = (int) flat[i];
    }
    return out;
  }

  static NDArray runFlux(OnnxGraph g, FluxInput in, NDManager m) throws Exception {
    Map<String, OnnxTensor> feed = new LinkedHashMap<>();
    feed.put("hidden_states", g.floats("hidden_states", in.hidden()));
    feed.put("encoder_hidden_states", g.floats("encoder_hidden_states", in.encoderHidden()));
    feed.put("pooled_projections", g.floats("pooled_projections", in.pooled()));
    feed.put("timestep", g.floats("timestep", m.create(in.timesteps())));
    feed.put("guidance", g.floats("guidance", m.create(in.guidance())));
    feed.put("img_ids", g.ids(in.imageIds()));
    feed.put("txt_ids", g.ids(in.textIds()));
    return g.run(feed, Map.of("sample", in.hidden().getShape().getShape()), m).get("sample");
  }

  static FluxInput fluxInput(SafetensorsFile io, NDManager m) {
    return new FluxInput(
        io.load(m, "hidden"),
        io.load(m, "encoder_hidden"),
        io.load(m, "pooled"),
        io.readFloats("timestep"),
        io.readFloats("guidance"),
        ids(io.load(m, "img_ids").toLongArray()),
        ids(io.load(m, "txt_ids").toLongArray()));
  }

  @Test
  void onnxDenoiserReproducesPytorchReferenceAndDjlFluxWithin1e4() throws Exception {
    Path onnx = fixture("onnx");
    try (SafetensorsFile weights = SafetensorsFile.open(fixture("flux_tiny_weights.safetensors"));
        SafetensorsFile io = SafetensorsFile.open(fixture("flux_tiny_io.safetensors"));
        FluxTransformer djl = FluxTransformer.load(OnnxFixtures.FLUX_TINY, List.of(weights), "");
        OnnxGraph graph =
            OnnxGraph.open(ENV, onnx, "denoiser", OnnxFixtures.fluxGraph("flux_tiny.onnx", Dtype.FLOAT32),
                OnnxDevice.CPU);
        NDManager m = NDManager.newBaseManager()) {
      FluxInput in = fluxInput(io, m);
      float[] actual = runFlux(graph, in, m).toFloatArray();
      float[] expected = io.readFloats("output");
      assertThat(expected).isNotEqualTo(new float[expected.length]);
      assertThat(maxAbsDiff(actual, expected)).isLessThan(1e-4);
      assertThat(maxAbsDiff(actual, djl.forward(in, m).toFloatArray())).isLessThan(1e-4);
    }
  }

  @Test
  void fp16DenoiserConvertsAtTheBoundaryAndMatchesItsReference() throws Exception {
    Path onnx = fixture("onnx");
    try (SafetensorsFile io = SafetensorsFile.open(fixture("flux_tiny_io.safetensors"));
        SafetensorsFile refs = SafetensorsFile.open(fixture("onnx/onnx_io.safetensors"));
        OnnxGraph graph =
            OnnxGraph.open(ENV, onnx, "denoiser", OnnxFixtures.fluxGraph("flux_tiny_fp16.onnx", Dtype.FLOAT16),
                OnnxDevice.CPU);
        NDManager m = NDManager.newBaseManager()) {
      float[] actual = runFlux(graph, fluxInput(io, m), m).toFloatArray();
      // Same F16 weights and F16-rounded inputs as the reference: only F16 output rounding differs.
      assertThat(maxAbsDiff(actual, refs.readFloats("flux_fp16_output"))).isLessThan(2e-3);
      // Against the F32 reference the error is the F16 weight and input rounding, small but not zero.
      double vsFloat = maxAbsDiff(actual, io.readFloats("output"));
      assertThat(vsFloat).isGreaterThan(0).isLessThan(0.15);
    }
  }

  @Test
  void inputsAreHandedToOnnxRuntimeAsDirectBuffersWithoutACopy() throws Exception {
    Path onnx = fixture("onnx");
    try (OnnxGraph f32 =
            OnnxGraph.open(ENV, onnx, "denoiser", OnnxFixtures.fluxGraph("flux_tiny.onnx", Dtype.FLOAT32),
                OnnxDevice.CPU);
        OnnxGraph f16 =
            OnnxGraph.open(ENV, onnx, "denoiser", OnnxFixtures.fluxGraph("flux_tiny_fp16.onnx", Dtype.FLOAT16),
                OnnxDevice.CPU);
        NDManager m = NDManager.newBaseManager()) {
      NDArray hidden = m.randomNormal(new ai.djl.ndarray.types.Shape(1, 6, 16));
      try (OnnxTensor a = f32.floats("hidden_states", hidden);
          OnnxTensor b = f16.floats("hidden_states", hidden);
          OnnxTensor ids = f32.ids(new int[][] {{0, 1, 2}, {1, 0, 0}})) {
        for (OnnxTensor t : List.of(a, b, ids)) {
          // ownsBuffer() is true only when ONNX Runtime had to copy a heap buffer into one of its own.
          assertThat(t.ownsBuffer()).isFalse();
          assertThat(t.getBufferRef()).hasValueSatisfying(buf -> assertThat(buf.isDirect()).isTrue());
        }
        assertThat(a.getFloatBuffer().array()).containsExactly(hidden.toFloatArray());
        assertThat(b.getInfo().type).isEqualTo(ai.onnxruntime.OnnxJavaType.FLOAT16);
        assertThat(ids.getLongBuffer().array()).containsExactly(0, 1, 2, 1, 0, 0);
      }
    }
  }

  @Test
  void vaeAndTextGraphsMatchReferencesAndDjlModels() throws Exception {
    Path folder = OnnxFixtures.editorFolder();
    OnnxEditorConfig c = OnnxEditorConfig.read(folder.resolve(OnnxEditorConfig.FILE_NAME));
    try (SafetensorsFile refs = SafetensorsFile.open(fixture("onnx/onnx_io.safetensors"));
        SafetensorsFile vw = SafetensorsFile.open(fixture("vae_tiny_weights.safetensors"));
        SafetensorsFile tw = SafetensorsFile.open(fixture("t5_tiny_weights.safetensors"));
        SafetensorsFile tio = SafetensorsFile.open(fixture("t5_tiny_io.safetensors"));
        AutoencoderKL vae = AutoencoderKL.load(VaeConfig.tiny(), List.of(vw), "");
        T5Encoder t5 = T5Encoder.load(T5Config.tiny(), List.of(tw));
        OnnxGraph enc = OnnxGraph.open(ENV, folder, "vae_encoder", c.vaeEncoder(), OnnxDevice.CPU);
        OnnxGraph dec = OnnxGraph.open(ENV, folder, "vae_decoder", c.vaeDecoder(), OnnxDevice.CPU);
        OnnxGraph text = OnnxGraph.open(ENV, folder, "text_encoder", c.textEncoder(), OnnxDevice.CPU);
        NDManager m = NDManager.newBaseManager()) {
      NDArray image = refs.load(m, "vae_image");
      float[] latents = enc.run(Map.of("image", enc.floats("image", image)), Map.of(), m).get("latents")
          .toFloatArray();
      assertThat(maxAbsDiff(latents, refs.readFloats("vae_encoded"))).isLessThan(1e-4);
      assertThat(maxAbsDiff(latents, vae.encode(image, m).toFloatArray())).isLessThan(1e-4);

      NDArray z = refs.load(m, "vae_latents");
      float[] decoded = dec.run(Map.of("latents", dec.floats("latents", z)), Map.of(), m).get("image")
          .toFloatArray();
      assertThat(maxAbsDiff(decoded, refs.readFloats("vae_decoded_fp16"))).isLessThan(2e-3);
      assertThat(maxAbsDiff(decoded, vae.decode(z, m).toFloatArray())).isLessThan(2e-2);

      long[] idsLong = refs.load(m, "t5_ids").toLongArray();
      int[] ids = new int[idsLong.length];
      for (int i = 0; i < ids.length; i++) {
        ids[i] = (int) idsLong[i];
      }
      float[] hidden = text.run(Map.of("input_ids", text.tokenIds(ids)), Map.of(), m).get("hidden_states")
          .toFloatArray();
      assertThat(maxAbsDiff(hidden, tio.readFloats("output"))).isLessThan(1e-4);
      assertThat(maxAbsDiff(hidden, t5.encode(new int[][] {ids}, m).toFloatArray())).isLessThan(1e-4);
    }
  }
}
