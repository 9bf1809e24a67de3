#!/usr/bin/env python3
"""Reference fixtures for gptedit-models, written from docs/../architectures.md in plain PyTorch.

Run from the repository root with Debian's python3-torch (no diffusers, no safetensors package needed):

    /usr/bin/python3 gptedit-models/src/test/python/make_fixtures.py

It writes, under gptedit-models/src/test/resources/io/gptedit/models/fixtures/:
  flux_tiny_weights.safetensors  random weights of a tiny Flux transformer in diffusers naming (F32)
  flux_tiny_io.safetensors       a fixed input (Kontext-style: noisy + condition tokens) and the reference output
  schedules.json                 BFL and SD3 schedules, computed from the formulas in float64
                                 (only this one: python3 make_fixtures.py schedules; needs no torch)
  vae_tiny_weights.safetensors   random weights of a tiny AutoencoderKL in diffusers naming
  vae_tiny_io.safetensors        an image and its latent mean; latents and their decoding
  t5_tiny_weights.safetensors    random weights of a tiny T5 v1.1 encoder in HF naming
  t5_tiny_io.safetensors         byte-level token ids and the encoder output; relative position buckets
  sd3_tiny_weights.safetensors   random weights of a tiny SD3 InstructPix2Pix MMDiT in diffusers naming
  sd3_tiny_io.safetensors        8-channel latents, text, pooled, sigma and the reference velocity
  mllm_tiny.onnx                 a tiny text-path stand-in for an exported MLLM (input_ids -> last_hidden_state)
  mllm_tiny_io.safetensors       its byte-level input ids and output

The Java tests must reproduce the outputs within 1e-4.
"""
import json
import math
import os
import struct
import sys

try:
    import torch
    import torch.nn.functional as F
except (ImportError, OSError):  # only "make_fixtures.py schedules" runs without torch
    torch = F = None

OUT = os.path.join(os.path.dirname(__file__), "..", "resources", "io", "gptedit", "models", "fixtures")

# Tiny Flux config: must match FluxReferenceFixtureTest.FIXTURE_CONFIG.
IN_CH, OUT_CH, HEADS, HEAD_DIM = 16, 16, 2, 8
JOINT, POOLED, AXES, THETA, MLP_RATIO = 16, 8, (2, 2, 4), 10000.0, 4
N_DOUBLE, N_SINGLE, EPS = 1, 1, 1e-6
D = HEADS * HEAD_DIM


def write_safetensors(path, tensors, metadata=None):
    """Minimal safetensors writer: header JSON padded to 8 bytes, tensors in name order."""
    header, blobs, offset = {}, [], 0
    if metadata:
        header["__metadata__"] = metadata
    for name in sorted(tensors):
        t = tensors[name].contiguous()
        if t.dtype == torch.float32:
            dtype, data = "F32", struct.pack("<%df" % t.numel(), *t.flatten().tolist())
        elif t.dtype == torch.int64:
            dtype, data = "I64", struct.pack("<%dq" % t.numel(), *t.flatten().tolist())
        else:
            raise ValueError(t.dtype)
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def make_weights(gen):
    w = {}

    def linear(name, i, o):
        w[name + ".weight"] = torch.randn(o, i, generator=gen) / math.sqrt(i)
        w[name + ".bias"] = torch.randn(o, generator=gen) * 0.02

    def norm(name):
        w[name + ".weight"] = 1 + 0.1 * torch.randn(HEAD_DIM, generator=gen)

    mlp = D * MLP_RATIO
    linear("x_embedder", IN_CH, D)
    linear("context_embedder", JOINT, D)
    for e in ("timestep_embedder", "guidance_embedder"):
        linear("time_text_embed.%s.linear_1" % e, 256, D)
        linear("time_text_embed.%s.linear_2" % e, D, D)
    linear("time_text_embed.text_embedder.linear_1", POOLED, D)
    linear("time_text_embed.text_embedder.linear_2", D, D)
    for i in range(N_DOUBLE):
        b = "transformer_blocks.%d." % i
        linear(b + "norm1.linear", D, 6 * D)
        linear(b + "norm1_context.linear", D, 6 * D)
        for p in ("to_q", "to_k", "to_v", "add_q_proj", "add_k_proj", "add_v_proj", "to_out.0", "to_add_out"):
            linear(b + "attn." + p, D, D)
        for n in ("norm_q", "norm_k", "norm_added_q", "norm_added_k"):
            norm(b + "attn." + n)
        for ff in ("ff", "ff_context"):
            linear(b + ff + ".net.0.proj", D, mlp)
            linear(b + ff + ".net.2", mlp, D)
    for i in range(N_SINGLE):
        b = "single_transformer_blocks.%d." % i
        linear(b + "norm.linear", D, 3 * D)
        for p in ("to_q", "to_k", "to_v"):
            linear(b + "attn." + p, D, D)
        norm(b + "attn.norm_q")
        norm(b + "attn.norm_k")
        linear(b + "proj_mlp", D, mlp)
        linear(b + "proj_out", D + mlp, D)
    linear("norm_out.linear", D, 2 * D)
    linear("proj_out", D, OUT_CH)
    return w


def lin(w, x, name):
    return F.linear(x, w[name + ".weight"], w[name + ".bias"])


def timestep_proj(t, dim=256):
    # diffusers get_timestep_embedding(flip_sin_to_cos=True, downscale_freq_shift=0): [cos ; sin].
    half = dim // 2
    exponent = -math.log(10000) * torch.arange(half, dtype=torch.float32) / half
    emb = t[:, None].float() * torch.exp(exponent)[None, :]
    return torch.cat([torch.cos(emb), torch.sin(emb)], dim=-1)


def rope(ids):
    cos, sin = [], []
    for axis, d in enumerate(AXES):
        freqs = 1.0 / (THETA ** (torch.arange(0, d, 2, dtype=torch.float64) / d))
        ang = torch.outer(ids[:, axis].double(), freqs)
        cos.append(ang.cos())
        sin.append(ang.sin())
    return torch.cat(cos, -1).float(), torch.cat(sin, -1).float()  # (S, D/2)


def apply_rope(x, cos, sin):  # x (B, H, S, Dh); rotate adjacent pairs
    x0, x1 = x[..., 0::2], x[..., 1::2]
    out = torch.stack([x0 * cos - x1 * sin, x1 * cos + x0 * sin], dim=-1)
    return out.flatten(-2)


def rms(x, weight):
    return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + EPS) * weight


def ln(x):
    return F.layer_norm(x, (x.shape[-1],), eps=EPS)


def heads(x):
    b, s, _ = x.shape
    return x.view(b, s, HEADS, HEAD_DIM).transpose(1, 2)


def merge(x):
    b, h, s, d = x.shape
    return x.transpose(1, 2).reshape(b, s, h * d)


def attention(q, k, v):
    scores = q @ k.transpose(-1, -2) / math.sqrt(q.shape[-1])
    return scores.softmax(-1) @ v


def mod(x, shift, scale):
    return x * (1 + scale[:, None]) + shift[:, None]


def flux_forward(w, hidden, context, pooled, t, g, img_ids, txt_ids):
    def embed(x, name):
        p = "time_text_embed." + name
        return lin(w, F.silu(lin(w, x, p + ".linear_1")), p + ".linear_2")

    temb = embed(timestep_proj(t * 1000), "timestep_embedder") + embed(timestep_proj(g * 1000), "guidance_embedder")
    temb = temb + embed(pooled, "text_embedder")
    h = lin(w, hidden, "x_embedder")
    c = lin(w, context, "context_embedder")
    cos, sin = rope(torch.cat([txt_ids, img_ids], 0))
    T = c.shape[1]
    for i in range(N_DOUBLE):
        b = "transformer_blocks.%d." % i
        a = b + "attn."
        sm, scm, gm, sf, scf, gf = lin(w, F.silu(temb), b + "norm1.linear").chunk(6, dim=1)
        csm, cscm, cgm, csf, cscf, cgf = lin(w, F.silu(temb), b + "norm1_context.linear").chunk(6, dim=1)
        x, cx = mod(ln(h), sm, scm), mod(ln(c), csm, cscm)
        q = torch.cat([rms(heads(lin(w, cx, a + "add_q_proj")), w[a + "norm_added_q.weight"]),
                       rms(heads(lin(w, x, a + "to_q")), w[a + "norm_q.weight"])], 2)
        k = torch.cat([rms(heads(lin(w, cx, a + "add_k_proj")), w[a + "norm_added_k.weight"]),
                       rms(heads(lin(w, x, a + "to_k")), w[a + "norm_k.weight"])], 2)
        v = torch.cat([heads(lin(w, cx, a + "add_v_proj")), heads(lin(w, x, a + "to_v"))], 2)
        o = merge(attention(apply_rope(q, cos, sin), apply_rope(k, cos, sin), v))
        h = h + gm[:, None] * lin(w, o[:, T:], a + "to_out.0")
        c = c + cgm[:, None] * lin(w, o[:, :T], a + "to_add_out")
        ff = lambda x, n: lin(w, F.gelu(lin(w, x, n + ".net.0.proj"), approximate="tanh"), n + ".net.2")
        h = h + gf[:, None] * ff(mod(ln(h), sf, scf), b + "ff")
        c = c + cgf[:, None] * ff(mod(ln(c), csf, cscf), b + "ff_context")
    x = torch.cat([c, h], 1)
    for i in range(N_SINGLE):
        b = "single_transformer_blocks.%d." % i
        a = b + "attn."
        shift, scale, gate = lin(w, F.silu(temb), b + "norm.linear").chunk(3, dim=1)
        hh = mod(ln(x), shift, scale)
        q = apply_rope(rms(heads(lin(w, hh, a + "to_q")), w[a + "norm_q.weight"]), cos, sin)
        k = apply_rope(rms(heads(lin(w, hh, a + "to_k")), w[a + "norm_k.weight"]), cos, sin)
        v = heads(lin(w, hh, a + "to_v"))
        o = merge(attention(q, k, v))
        m = F.gelu(lin(w, hh, b + "proj_mlp"), approximate="tanh")
        x = x + gate[:, None] * lin(w, torch.cat([o, m], 2), b + "proj_out")
    h = x[:, T:]
    scale, shift = lin(w, F.silu(temb), "norm_out.linear").chunk(2, dim=1)
    return lin(w, mod(ln(h), shift, scale), "proj_out")


def flux_fixture():
    gen = torch.Generator().manual_seed(20261126)
    w = make_weights(gen)
    write_safetensors(os.path.join(OUT, "flux_tiny_weights.safetensors"), w, {"format": "pt"})
    rows, cols, text = 2, 3, 4
    noisy = torch.randn(1, rows * cols, IN_CH, generator=gen)
    cond = torch.randn(1, rows * cols, IN_CH, generator=gen)
    hidden = torch.cat([noisy, cond], 1)
    ids = [[0, r, c] for r in range(rows) for c in range(cols)] + [[1, r, c] for r in range(rows) for c in range(cols)]
    img_ids = torch.tensor(ids, dtype=torch.int64)
    txt_ids = torch.zeros(text, 3, dtype=torch.int64)
    context = torch.randn(1, text, JOINT, generator=gen)
    pooled = torch.randn(1, POOLED, generator=gen)
    t = torch.tensor([0.7])
    g = torch.tensor([3.5])
    with torch.no_grad():
        out = flux_forward(w, hidden, context, pooled, t, g, img_ids, txt_ids)
    write_safetensors(os.path.join(OUT, "flux_tiny_io.safetensors"), {
        "hidden": hidden, "encoder_hidden": context, "pooled": pooled, "timestep": t, "guidance": g,
        "img_ids": img_ids, "txt_ids": txt_ids, "output": out})


def bfl_schedule(steps, tokens):
    mu = 0.5 + (1.15 - 0.5) * (tokens - 256) / (4096 - 256)
    ts = [1 - i / steps for i in range(steps + 1)]
    return [0.0 if t <= 0 else math.exp(mu) / (math.exp(mu) + (1 / t - 1)) for t in ts], mu


def sd3_schedule(steps, shift=3.0, train_steps=1000):
    # diffusers FlowMatchEulerDiscreteScheduler(shift=3.0, use_dynamic_shifting=False) and Stability's sd3_impl
    # ModelSamplingDiscreteFlow: the training sigmas are shift(t / 1000) for t = 1..1000, so the smallest is
    # shift(1/1000); set_timesteps(N) takes linspace(sigma_max * 1000, sigma_min * 1000, N) / 1000 and shifts
    # it (again), then appends 0. At N = 28 the last step runs from shift(shift(0.001)) = 0.0089286 to 0.
    def sh(s):
        return shift * s / (1 + (shift - 1) * s)
    lo = sh(1.0 / train_steps)
    ts = [1.0] if steps == 1 else [1.0 + i * (lo - 1.0) / (steps - 1) for i in range(steps)]
    if steps > 1:
        ts[-1] = lo
    return [sh(t) for t in ts] + [0.0]


def schedules_fixture():
    out = {"bfl": [], "sd3": []}
    for steps, tokens in ((4, 256), (8, 1024), (28, 4096), (5, 6000)):
        sig, mu = bfl_schedule(steps, tokens)
        out["bfl"].append({"steps": steps, "tokens": tokens, "mu": mu, "sigmas": sig})
    for steps in (1, 2, 4, 28):
        out["sd3"].append({"steps": steps, "sigmas": sd3_schedule(steps)})
    with open(os.path.join(OUT, "schedules.json"), "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")


# Tiny VAE config: must match VaeConfig.tiny().
VAE_CH, VAE_LAYERS, VAE_GROUPS, VAE_LATENT, VAE_SCALE, VAE_SHIFT = (4, 8), 1, 2, 4, 0.3611, 0.1159


def vae_weights(gen):
    w = {}

    def conv(name, i, o, k):
        w[name + ".weight"] = torch.randn(o, i, k, k, generator=gen) / math.sqrt(i * k * k)
        w[name + ".bias"] = torch.randn(o, generator=gen) * 0.02

    def norm(name, c):
        w[name + ".weight"] = 1 + 0.1 * torch.randn(c, generator=gen)
        w[name + ".bias"] = torch.randn(c, generator=gen) * 0.02

    def linear(name, i, o):
        w[name + ".weight"] = torch.randn(o, i, generator=gen) / math.sqrt(i)
        w[name + ".bias"] = torch.randn(o, generator=gen) * 0.02

    def resnet(p, i, o):
        norm(p + ".norm1", i)
        conv(p + ".conv1", i, o, 3)
        norm(p + ".norm2", o)
        conv(p + ".conv2", o, o, 3)
        if i != o:
            conv(p + ".conv_shortcut", i, o, 1)

    def mid(p, c):
        resnet(p + ".resnets.0", c, c)
        norm(p + ".attentions.0.group_norm", c)
        for n in ("to_q", "to_k", "to_v", "to_out.0"):
            linear(p + ".attentions.0." + n, c, c)
        resnet(p + ".resnets.1", c, c)

    ch, top = VAE_CH, VAE_CH[-1]
    conv("encoder.conv_in", 3, ch[0], 3)
    prev = ch[0]
    for i, c in enumerate(ch):
        for j in range(VAE_LAYERS):
            resnet("encoder.down_blocks.%d.resnets.%d" % (i, j), prev if j == 0 else c, c)
        if i < len(ch) - 1:
            conv("encoder.down_blocks.%d.downsamplers.0.conv" % i, c, c, 3)
        prev = c
    mid("encoder.mid_block", top)
    norm("encoder.conv_norm_out", top)
    conv("encoder.conv_out", top, 2 * VAE_LATENT, 3)
    conv("decoder.conv_in", VAE_LATENT, top, 3)
    mid("decoder.mid_block", top)
    prev = top
    for i, c in enumerate(reversed(ch)):
        for j in range(VAE_LAYERS + 1):
            resnet("decoder.up_blocks.%d.resnets.%d" % (i, j), prev if j == 0 else c, c)
        if i < len(ch) - 1:
            conv("decoder.up_blocks.%d.upsamplers.0.conv" % i, c, c, 3)
        prev = c
    norm("decoder.conv_norm_out", ch[0])
    conv("decoder.conv_out", ch[0], 3, 3)
    return w


def vae_forward(w, x, encode):
    def conv(h, n, stride=1, pad=1):
        return F.conv2d(h, w[n + ".weight"], w[n + ".bias"], stride=stride, padding=pad)

    def gn(h, n):
        return F.group_norm(h, VAE_GROUPS, w[n + ".weight"], w[n + ".bias"], eps=1e-6)

    def resnet(h, p):
        r = conv(F.silu(gn(h, p + ".norm1")), p + ".conv1")
        r = conv(F.silu(gn(r, p + ".norm2")), p + ".conv2")
        if p + ".conv_shortcut.weight" in w:
            h = conv(h, p + ".conv_shortcut", pad=0)
        return h + r

    def attn(h, p):
        b, c, hh, ww = h.shape
        x = gn(h, p + ".group_norm").view(b, c, hh * ww).transpose(1, 2)
        q, k, v = (lin(w, x, p + "." + n) for n in ("to_q", "to_k", "to_v"))
        a = (q @ k.transpose(1, 2) / math.sqrt(c)).softmax(-1) @ v
        return h + lin(w, a, p + ".to_out.0").transpose(1, 2).reshape(b, c, hh, ww)

    def mid(h, p):
        return resnet(attn(resnet(h, p + ".resnets.0"), p + ".attentions.0"), p + ".resnets.1")

    ch = VAE_CH
    if encode:
        h = conv(x, "encoder.conv_in")
        for i in range(len(ch)):
            for j in range(VAE_LAYERS):
                h = resnet(h, "encoder.down_blocks.%d.resnets.%d" % (i, j))
            if i < len(ch) - 1:
                h = conv(F.pad(h, (0, 1, 0, 1)), "encoder.down_blocks.%d.downsamplers.0.conv" % i, stride=2, pad=0)
        h = mid(h, "encoder.mid_block")
        h = conv(F.silu(gn(h, "encoder.conv_norm_out")), "encoder.conv_out")
        return h[:, :VAE_LATENT]
    h = conv(x / VAE_SCALE + VAE_SHIFT, "decoder.conv_in")
    h = mid(h, "decoder.mid_block")
    for i in range(len(ch)):
        for j in range(VAE_LAYERS + 1):
            h = resnet(h, "decoder.up_blocks.%d.resnets.%d" % (i, j))
        if i < len(ch) - 1:
            h = conv(F.interpolate(h, scale_factor=2.0, mode="nearest"), "decoder.up_blocks.%d.upsamplers.0.conv" % i)
    return conv(F.silu(gn(h, "decoder.conv_norm_out")), "decoder.conv_out")


def vae_fixture():
    gen = torch.Generator().manual_seed(7)
    w = vae_weights(gen)
    image = torch.rand(1, 3, 8, 6, generator=gen) * 2 - 1
    latents = torch.randn(1, VAE_LATENT, 4, 3, generator=gen)
    with torch.no_grad():
        mean = vae_forward(w, image, True)
        decoded = vae_forward(w, latents, False)
    write_safetensors(os.path.join(OUT, "vae_tiny_weights.safetensors"), w, {"format": "pt"})
    write_safetensors(os.path.join(OUT, "vae_tiny_io.safetensors"), {
        "image": image, "mean": mean, "latents": latents, "decoded": decoded})


# Tiny T5 config: must match T5Config.tiny().
T5_VOCAB, T5_D, T5_DKV, T5_HEADS, T5_FF, T5_LAYERS, T5_BUCKETS, T5_MAXDIST = 259, 32, 8, 4, 64, 2, 32, 128


def t5_bucket(rel):
    """HF T5Attention._relative_position_bucket, bidirectional, in torch float32 like the reference."""
    nb = T5_BUCKETS // 2
    out = (rel > 0).long() * nb
    n = rel.abs()
    max_exact = nb // 2
    large = max_exact + (torch.log(n.float() / max_exact) / math.log(T5_MAXDIST / max_exact)
                         * (nb - max_exact)).long()
    large = torch.min(large, torch.full_like(large, nb - 1))
    return out + torch.where(n < max_exact, n, large)


def t5_fixture():
    gen = torch.Generator().manual_seed(5)
    w = {"shared.weight": torch.randn(T5_VOCAB, T5_D, generator=gen) / math.sqrt(T5_D)}
    inner = T5_HEADS * T5_DKV
    lw = lambda o, i: torch.randn(o, i, generator=gen) / math.sqrt(i)
    for i in range(T5_LAYERS):
        b = "encoder.block.%d.layer." % i
        w[b + "0.layer_norm.weight"] = 1 + 0.1 * torch.randn(T5_D, generator=gen)
        for n in "qkv":
            w[b + "0.SelfAttention.%s.weight" % n] = lw(inner, T5_D)
        w[b + "0.SelfAttention.o.weight"] = lw(T5_D, inner)
        if i == 0:
            w[b + "0.SelfAttention.relative_attention_bias.weight"] = torch.randn(T5_BUCKETS, T5_HEADS, generator=gen)
        w[b + "1.layer_norm.weight"] = 1 + 0.1 * torch.randn(T5_D, generator=gen)
        w[b + "1.DenseReluDense.wi_0.weight"] = lw(T5_FF, T5_D)
        w[b + "1.DenseReluDense.wi_1.weight"] = lw(T5_FF, T5_D)
        w[b + "1.DenseReluDense.wo.weight"] = lw(T5_D, T5_FF)
    w["encoder.final_layer_norm.weight"] = 1 + 0.1 * torch.randn(T5_D, generator=gen)
    ids = torch.tensor([[ord(c) + 3 for c in "make the sky pink"] + [1]])
    L = ids.shape[1]
    pos = torch.arange(L)
    rel = pos[None, :] - pos[:, None]  # key - query
    bias = w["encoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight"][t5_bucket(rel)]
    bias = bias.permute(2, 0, 1)[None]
    norm = lambda x, n: x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + 1e-6) * w[n]
    x = w["shared.weight"][ids]
    with torch.no_grad():
        for i in range(T5_LAYERS):
            b = "encoder.block.%d.layer." % i
            h = norm(x, b + "0.layer_norm.weight")
            q, k, v = (heads4(h @ w[b + "0.SelfAttention.%s.weight" % n].T) for n in "qkv")
            a = ((q @ k.transpose(-1, -2)) + bias).softmax(-1) @ v
            x = x + a.transpose(1, 2).reshape(1, L, inner) @ w[b + "0.SelfAttention.o.weight"].T
            h = norm(x, b + "1.layer_norm.weight")
            g = F.gelu(h @ w[b + "1.DenseReluDense.wi_0.weight"].T, approximate="tanh")
            x = x + (g * (h @ w[b + "1.DenseReluDense.wi_1.weight"].T)) @ w[b + "1.DenseReluDense.wo.weight"].T
        out = norm(x, "encoder.final_layer_norm.weight")
    w["encoder.embed_tokens.weight"] = w["shared.weight"]  # HF checkpoints carry the tied copy
    write_safetensors(os.path.join(OUT, "t5_tiny_weights.safetensors"), w, {"format": "pt"})
    rels = torch.arange(-300, 301)
    write_safetensors(os.path.join(OUT, "t5_tiny_io.safetensors"), {
        "ids": ids, "output": out, "relative": rels, "buckets": t5_bucket(rels)})


def heads4(x):
    b, l, _ = x.shape
    return x.view(b, l, T5_HEADS, T5_DKV).transpose(1, 2)


# Tiny SD3 InstructPix2Pix config: must match Sd3Config.tinyInstructPix2Pix().
SD3_SAMPLE, SD3_PATCH, SD3_IN, SD3_OUT, SD3_LAYERS, SD3_HEADS, SD3_HEAD = 8, 2, 8, 4, 2, 2, 8
SD3_JOINT, SD3_POOLED, SD3_MAX = 32, 24, 16
SD3_D = SD3_HEADS * SD3_HEAD


def sd3_pos_embed(rows, cols):
    """diffusers get_2d_sincos_pos_embed on the max grid (float64), then the centre crop."""
    base = SD3_SAMPLE // SD3_PATCH
    grid_h = torch.arange(SD3_MAX, dtype=torch.float64) / (SD3_MAX / base)
    grid_w = torch.arange(SD3_MAX, dtype=torch.float64) / (SD3_MAX / base)
    gw, gh = torch.meshgrid(grid_w, grid_h, indexing="xy")  # gw varies along columns

    def one_d(dim, pos):
        omega = 1.0 / 10000 ** (torch.arange(dim // 2, dtype=torch.float64) / (dim / 2.0))
        out = pos.reshape(-1)[:, None] * omega[None]
        return torch.cat([out.sin(), out.cos()], 1)

    emb = torch.cat([one_d(SD3_D // 2, gw), one_d(SD3_D // 2, gh)], 1).reshape(SD3_MAX, SD3_MAX, SD3_D)
    top, left = (SD3_MAX - rows) // 2, (SD3_MAX - cols) // 2
    return emb[top:top + rows, left:left + cols].reshape(1, rows * cols, SD3_D).float()


def sd3_fixture():
    gen = torch.Generator().manual_seed(33)
    w = {}

    def linear(name, i, o):
        w[name + ".weight"] = torch.randn(o, i, generator=gen) / math.sqrt(i)
        w[name + ".bias"] = torch.randn(o, generator=gen) * 0.02

    D, P = SD3_D, SD3_PATCH
    w["pos_embed.proj.weight"] = torch.randn(D, SD3_IN, P, P, generator=gen) / math.sqrt(SD3_IN * P * P)
    w["pos_embed.proj.bias"] = torch.randn(D, generator=gen) * 0.02
    linear("time_text_embed.timestep_embedder.linear_1", 256, D)
    linear("time_text_embed.timestep_embedder.linear_2", D, D)
    linear("time_text_embed.text_embedder.linear_1", SD3_POOLED, D)
    linear("time_text_embed.text_embedder.linear_2", D, D)
    linear("context_embedder", SD3_JOINT, D)
    for i in range(SD3_LAYERS):
        b = "transformer_blocks.%d." % i
        pre = i == SD3_LAYERS - 1
        linear(b + "norm1.linear", D, 6 * D)
        linear(b + "norm1_context.linear", D, (2 if pre else 6) * D)
        for n in ("to_q", "to_k", "to_v", "add_q_proj", "add_k_proj", "add_v_proj", "to_out.0"):
            linear(b + "attn." + n, D, D)
        linear(b + "ff.net.0.proj", D, 4 * D)
        linear(b + "ff.net.2", 4 * D, D)
        if not pre:
            linear(b + "attn.to_add_out", D, D)
            linear(b + "ff_context.net.0.proj", D, 4 * D)
            linear(b + "ff_context.net.2", 4 * D, D)
    linear("norm_out.linear", D, 2 * D)
    linear("proj_out", D, P * P * SD3_OUT)

    latents = torch.randn(1, SD3_IN, 6, 4, generator=gen)
    text = torch.randn(1, 5, SD3_JOINT, generator=gen)
    pooled = torch.randn(1, SD3_POOLED, generator=gen)
    sigma = torch.tensor([0.6])
    with torch.no_grad():
        x = F.conv2d(latents, w["pos_embed.proj.weight"], w["pos_embed.proj.bias"], stride=P)
        b_, _, rows, cols = x.shape
        x = x.flatten(2).transpose(1, 2) + sd3_pos_embed(rows, cols)
        mlp2 = lambda v, p: lin(w, F.silu(lin(w, v, p + ".linear_1")), p + ".linear_2")
        temb = mlp2(timestep_proj(sigma * 1000), "time_text_embed.timestep_embedder")
        temb = temb + mlp2(pooled, "time_text_embed.text_embedder")
        c = lin(w, text, "context_embedder")
        hd = lambda v: v.view(1, v.shape[1], SD3_HEADS, SD3_HEAD).transpose(1, 2)
        ff = lambda v, n: lin(w, F.gelu(lin(w, v, n + ".net.0.proj"), approximate="tanh"), n + ".net.2")
        for i in range(SD3_LAYERS):
            b = "transformer_blocks.%d." % i
            a = b + "attn."
            pre = i == SD3_LAYERS - 1
            sm, scm, gm, sf, scf, gf = lin(w, F.silu(temb), b + "norm1.linear").chunk(6, dim=1)
            h = mod(ln(x), sm, scm)
            if pre:
                cscale, cshift = lin(w, F.silu(temb), b + "norm1_context.linear").chunk(2, dim=1)
                ch = mod(ln(c), cshift, cscale)
            else:
                csm, cscm, cgm, csf, cscf, cgf = lin(w, F.silu(temb), b + "norm1_context.linear").chunk(6, dim=1)
                ch = mod(ln(c), csm, cscm)
            q = torch.cat([hd(lin(w, h, a + "to_q")), hd(lin(w, ch, a + "add_q_proj"))], 2)
            k = torch.cat([hd(lin(w, h, a + "to_k")), hd(lin(w, ch, a + "add_k_proj"))], 2)
            v = torch.cat([hd(lin(w, h, a + "to_v")), hd(lin(w, ch, a + "add_v_proj"))], 2)
            o = attention(q, k, v).transpose(1, 2).reshape(1, -1, SD3_D)
            n = x.shape[1]
            x = x + gm[:, None] * lin(w, o[:, :n], a + "to_out.0")
            x = x + gf[:, None] * ff(mod(ln(x), sf, scf), b + "ff")
            if not pre:
                c = c + cgm[:, None] * lin(w, o[:, n:], a + "to_add_out")
                c = c + cgf[:, None] * ff(mod(ln(c), csf, cscf), b + "ff_context")
        scale, shift = lin(w, F.silu(temb), "norm_out.linear").chunk(2, dim=1)
        x = lin(w, mod(ln(x), shift, scale), "proj_out")
        x = x.reshape(1, rows, cols, P, P, SD3_OUT)
        out = torch.einsum("nhwpqc->nchpwq", x).reshape(1, SD3_OUT, rows * P, cols * P)
    w["pos_embed.pos_embed"] = torch.zeros(1, 1)  # diffusers stores this buffer; the loader must ignore it
    write_safetensors(os.path.join(OUT, "sd3_tiny_weights.safetensors"), w, {"format": "pt"})
    write_safetensors(os.path.join(OUT, "sd3_tiny_io.safetensors"), {
        "latents": latents, "text": text, "pooled": pooled, "sigma": sigma, "output": out})


class TinyMllm(torch.nn.Module if torch is not None else object):
    """A stand-in MLLM text path for the ONNX runner test: byte-token embedding, one linear, tanh."""

    def __init__(self):
        super().__init__()
        self.embed = torch.nn.Embedding(259, 12)
        self.proj = torch.nn.Linear(12, 12)

    def forward(self, input_ids):
        return torch.tanh(self.proj(self.embed(input_ids)))


def mllm_onnx_fixture():
    torch.manual_seed(11)
    model = TinyMllm().eval()
    ids = torch.tensor([[ord(c) + 3 for c in "make the sky pink"] + [1]])
    torch.onnx.export(model, (ids,), os.path.join(OUT, "mllm_tiny.onnx"), input_names=["input_ids"],
                      output_names=["last_hidden_state"],
                      dynamic_axes={"input_ids": {1: "tokens"}, "last_hidden_state": {1: "tokens"}}, opset_version=13)
    with torch.no_grad():
        out = model(ids)
    write_safetensors(os.path.join(OUT, "mllm_tiny_io.safetensors"), {"ids": ids, "output": out})


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    if sys.argv[1:] == ["schedules"]:
        schedules_fixture()
        sys.exit(0)
    flux_fixture()
    schedules_fixture()
    vae_fixture()
    t5_fixture()
    sd3_fixture()
    mllm_onnx_fixture()
