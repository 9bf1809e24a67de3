package io.gptedit.models.vae;

import static io.gptedit.models.nn.Layers.conv2d;
import static io.gptedit.models.nn.Layers.groupNorm;
import static io.gptedit.models.nn.Layers.linear;
import static io.gptedit.models.nn.Layers.silu;
import static java.util.Objects.requireNonNull;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.gptedit.models.codec.LatentCodec;
import io.gptedit.models.nn.DeviceException;
import io.gptedit.models.nn.Devices;
import io.gptedit.models.nn.ModelWeights;
import io.gptedit.models.nn.ParameterSpec;
import io.gptedit.models.safetensors.SafetensorsFile;
import java.util.List;

/**
 * The latent autoencoder of Flux and SD3 (diffusers {@code AutoencoderKL}, no quant convs): a ResNet encoder
 * with one self-attention block at the lowest resolution producing latent mean and log-variance, and the mirror
 * decoder. Latents given to and taken from the transformer are normalised:
 * {@code z = (mean - shift) * scale}, decoded from {@code z / scale + shift}.
 *
 * @since 0.1
 */
public final class AutoencoderKL implements LatentCodec, AutoCloseable {
  private final VaeConfig config;
  private final ModelWeights params;

  /**
   * Wraps parameters that match a config.
   *
   * @param config the hyper-parameters
   * @param params parameters declared by {@link #spec(VaeConfig)}
   */
  public AutoencoderKL(VaeConfig config, ModelWeights params) {
    this.config = requireNonNull(config, "config");
    this.params = requireNonNull(params, "params");
  }

  /**
   * Creates a VAE with seeded random weights.
   *
   * @param config the hyper-parameters
   * @param seed the weight seed
   * @return the VAE
   */
  public static AutoencoderKL random(VaeConfig config, long seed) {
    return random(config, seed, Devices.defaultDevice());
  }

  /**
   * Creates a VAE with seeded random weights on a device (the same values on every device).
   *
   * @param config the hyper-parameters
   * @param seed the seed
   * @param device where the weights live ({@link Devices#require checked} first)
   * @return the VAE
   * @throws DeviceException if the engine does not have the device
   */
  public static AutoencoderKL random(VaeConfig config, long seed, Device device) {
    return new AutoencoderKL(config, ModelWeights.random(spec(config), seed, device));
  }

  /**
   * Loads a VAE from diffusers-named safetensors shards, strictly.
   *
   * @param config the hyper-parameters
   * @param shards the shards
   * @param prefix the key prefix, usually empty
   * @return the VAE
   */
  public static AutoencoderKL load(VaeConfig config, List<SafetensorsFile> shards, String prefix) {
    return load(config, shards, prefix, Devices.defaultDevice());
  }

  /**
   * Loads a VAE like {@link #load(VaeConfig, List, String)} onto a device.
   *
   * @param config the hyper-parameters
   * @param shards the shards
   * @param prefix the key prefix, usually empty
   * @param device where the weights live ({@link Devices#require checked} first)
   * @return the VAE
   * @throws DeviceException if the engine does not have the device (before any tensor is read)
   */
  public static AutoencoderKL load(VaeConfig config, List<SafetensorsFile> shards, String prefix, Device device) {
    return new AutoencoderKL(
        config, ModelWeights.load(spec(config), shards, prefix, true, 0, DataType.FLOAT32, device));
  }

  /**
   * Declares every parameter in diffusers naming.
   *
   * @param c the config
   * @return the spec
   */
  public static ParameterSpec spec(VaeConfig c) {
    ParameterSpec s = new ParameterSpec();
    int[] ch = c.blockOutChannels();
    int top = ch[ch.length - 1];
    s.conv("encoder.conv_in", c.imageChannels(), ch[0], 3);
    int in = ch[0];
    for (int i = 0; i < ch.length; i++) {
      for (int j = 0; j < c.layersPerBlock(); j++) {
        resnet(s, "encoder.down_blocks." + i + ".resnets." + j, j == 0 ? in : ch[i], ch[i]);
      }
      if (i < ch.length - 1) {
        s.conv("encoder.down_blocks." + i + ".downsamplers.0.conv", ch[i], ch[i], 3);
      }
      in = ch[i];
    }
    mid(s, "encoder.mid_block", top);
    s.norm("encoder.conv_norm_out", top);
    s.conv("encoder.conv_out", top, 2L * c.latentChannels(), 3);

    s.conv("decoder.conv_in", c.latentChannels(), top, 3);
    mid(s, "decoder.mid_block", top);
    int prev = top;
    for (int i = 0; i < ch.length; i++) {
      int out = ch[ch.length - 1 - i];
      for (int j = 0; j <= c.layersPerBlock(); j++) {
        resnet(s, "decoder.up_blocks." + i + ".resnets." + j, j == 0 ? prev : out, out);
      }
      if (i < ch.length - 1) {
        s.conv("decoder.up_blocks." + i + ".upsamplers.0.conv", out, out, 3);
      }
      prev = out;
    }
    s.norm("decoder.conv_norm_out", ch[0]);
    s.conv("decoder.conv_out", ch[0], c.imageChannels(), 3);
    return s;
  }

  private static void resnet(ParameterSpec s, String p, int in, int out) {
    s.norm(p + ".norm1", in);
    s.conv(p + ".conv1", in, out, 3);
    s.norm(p + ".norm2", out);
    s.conv(p + ".conv2", out, out, 3);
    if (in != out) {
      s.conv(p + ".conv_shortcut", in, out, 1);
    }
  }

  private static void mid(ParameterSpec s, String p, int ch) {
    resnet(s, p + ".resnets.0", ch, ch);
    s.norm(p + ".attentions.0.group_norm", ch);
    for (String proj : List.of("to_q", "to_k", "to_v", "to_out.0")) {
      s.linear(p + ".attentions.0." + proj, ch, ch, true);
    }
    resnet(s, p + ".resnets.1", ch, ch);
  }

  /**
   * Returns the config.
   *
   * @return the config
   */
  public VaeConfig config() {
    return config;
  }

  /**
   * Returns the parameters.
   *
   * @return the store
   */
  public ModelWeights parameters() {
    return params;
  }

  /**
   * Encodes images to the latent distribution's mean (not normalised).
   *
   * @param images (B, 3, H, W) in [-1, 1], H and W divisible by the spatial factor
   * @param out the manager of the result
   * @return the mean (B, latent channels, H/f, W/f)
   */
  public NDArray encodeMean(NDArray images, NDManager out) {
    return encodeRaw(images, out);
  }

  @Override
  public int latentChannels() {
    return config.latentChannels();
  }

  @Override
  public int spatialFactor() {
    return config.spatialFactor();
  }

  @Override
  public String describe() {
    return "vae(" + config + ")";
  }

  /**
   * Encodes images to the latent distribution's mean (not normalised); the same as {@link #encodeMean}.
   *
   * @param images (B, 3, H, W) in [-1, 1], H and W divisible by the spatial factor
   * @param out the manager of the result
   * @return the mean (B, latent channels, H/f, W/f)
   */
  @Override
  public NDArray encodeRaw(NDArray images, NDManager out) {
    try (NDManager scope = out.newSubManager()) {
      images.tempAttach(scope);
      NDArray result = encoder(images).get(":, :" + config.latentChannels() + ", :, :");
      result.attach(out);
      return result;
    }
  }

  /**
   * Encodes images to normalised latents {@code (mean - shift) * scale}, as the transformer sees them.
   *
   * @param images (B, 3, H, W) in [-1, 1]
   * @param out the manager of the result
   * @return the normalised latents
   */
  @Override
  public NDArray encode(NDArray images, NDManager out) {
    NDArray mean = encodeMean(images, out);
    NDArray z = mean.sub(config.shiftFactor()).mul(config.scalingFactor());
    mean.close();
    return z;
  }

  /**
   * Decodes normalised latents to images in about [-1, 1].
   *
   * @param latents (B, latent channels, h, w), normalised
   * @param out the manager of the result
   * @return images (B, 3, h*f, w*f)
   */
  @Override
  public NDArray decode(NDArray latents, NDManager out) {
    try (NDManager scope = out.newSubManager()) {
      latents.tempAttach(scope);
      NDArray result = decoder(latents.div(config.scalingFactor()).add(config.shiftFactor()));
      result.attach(out);
      return result;
    }
  }

  private NDArray encoder(NDArray x) {
    int[] ch = config.blockOutChannels();
    NDArray h = conv2d(x, params, "encoder.conv_in", 1, 1);
    for (int i = 0; i < ch.length; i++) {
      for (int j = 0; j < config.layersPerBlock(); j++) {
        h = resnet(h, "encoder.down_blocks." + i + ".resnets." + j);
      }
      if (i < ch.length - 1) {
        // diffusers pads right and bottom by one, then convolves with stride 2 and no padding.
        h = conv2d(h.pad(new Shape(0, 1, 0, 1), 0), params, "encoder.down_blocks." + i + ".downsamplers.0.conv", 2, 0);
      }
    }
    h = mid(h, "encoder.mid_block");
    h = silu(groupNorm(h, params, "encoder.conv_norm_out", config.normGroups(), VaeConfig.EPS));
    return conv2d(h, params, "encoder.conv_out", 1, 1);
  }

  private NDArray decoder(NDArray z) {
    int[] ch = config.blockOutChannels();
    NDArray h = conv2d(z, params, "decoder.conv_in", 1, 1);
    h = mid(h, "decoder.mid_block");
    for (int i = 0; i < ch.length; i++) {
      for (int j = 0; j <= config.layersPerBlock(); j++) {
        h = resnet(h, "decoder.up_blocks." + i + ".resnets." + j);
      }
      if (i < ch.length - 1) {
        h = conv2d(upsampleNearest2x(h), params, "decoder.up_blocks." + i + ".upsamplers.0.conv", 1, 1);
      }
    }
    h = silu(groupNorm(h, params, "decoder.conv_norm_out", config.normGroups(), VaeConfig.EPS));
    return conv2d(h, params, "decoder.conv_out", 1, 1);
  }

  static NDArray upsampleNearest2x(NDArray x) {
    Shape s = x.getShape();
    return x.reshape(s.get(0), s.get(1), s.get(2), 1, s.get(3), 1)
        .broadcast(s.get(0), s.get(1), s.get(2), 2, s.get(3), 2)
        .reshape(s.get(0), s.get(1), s.get(2) * 2, s.get(3) * 2);
  }

  private NDArray resnet(NDArray x, String p) {
    int g = config.normGroups();
    NDArray h = conv2d(silu(groupNorm(x, params, p + ".norm1", g, VaeConfig.EPS)), params, p + ".conv1", 1, 1);
    h = conv2d(silu(groupNorm(h, params, p + ".norm2", g, VaeConfig.EPS)), params, p + ".conv2", 1, 1);
    NDArray shortcut = params.has(p + ".conv_shortcut.weight") ? conv2d(x, params, p + ".conv_shortcut", 1, 0) : x;
    return shortcut.add(h);
  }

  private NDArray mid(NDArray x, String p) {
    NDArray h = resnet(x, p + ".resnets.0");
    h = attention(h, p + ".attentions.0");
    return resnet(h, p + ".resnets.1");
  }

  /** Single-head self-attention over pixels with a residual connection. */
  private NDArray attention(NDArray x, String p) {
    Shape s = x.getShape();
    long c = s.get(1);
    NDArray h = groupNorm(x, params, p + ".group_norm", config.normGroups(), VaeConfig.EPS);
    h = h.reshape(s.get(0), c, -1).transpose(0, 2, 1);
    NDArray q = linear(h, params, p + ".to_q");
    NDArray k = linear(h, params, p + ".to_k");
    NDArray v = linear(h, params, p + ".to_v");
    NDArray a = q.matMul(k.transpose(0, 2, 1)).mul(1.0 / Math.sqrt(c)).softmax(-1).matMul(v);
    NDArray o = linear(a, params, p + ".to_out.0").transpose(0, 2, 1).reshape(s);
    return x.add(o);
  }

  /**
   * The most latent pixels the mid-block attention handles: it materialises a (tokens x tokens) float matrix, so
   * 2^15 tokens take 4 GiB (the FLUX.1 VAE at 1 MP has 2^14).
   */
  public static final long MAX_ATTENTION_TOKENS = 1L << 15;

  /**
   * Returns the largest image the mid-block attention handles in bounded memory: {@link #MAX_ATTENTION_TOKENS}
   * latent pixels, that is {@code 2^15 x f^2} image pixels (2 MP for the 8x FLUX.1 and SD3 VAEs, 128 K pixels for
   * the 2x {@link VaeConfig#tiny()} VAE).
   *
   * @return the pixel limit
   */
  @Override
  public long maxWorkingPixels() {
    long f = spatialFactor();
    return MAX_ATTENTION_TOKENS * f * f;
  }

  @Override
  public void close() {
    params.close();
  }
}
