#!/usr/bin/env python3
"""ONNX fixtures for gptedit-models' OnnxEditor, exported from the committed tiny weights of make_fixtures.py.

Run from the repository root with Debian's python3-torch (1.13; torch.onnx.export needs no onnx package), after
make_fixtures.py (it reads the weights that script wrote):

    /usr/bin/python3 gptedit-models/src/test/python/make_onnx_fixtures.py

It writes, under gptedit-models/src/test/resources/io/gptedit/models/fixtures/onnx/:
  flux_tiny.onnx            the tiny Flux of flux_tiny_weights.safetensors as a Kontext denoiser graph (F32 I/O)
  flux_tiny_fp16.onnx       the same with F16 weights, F16 float inputs and output (computes in F32 inside)
  editor/                   a complete OnnxEditor folder (onnx-editor.json and four graphs):
    denoiser.onnx           a tiny Flux with joint_attention_dim 32 (= the tiny T5's d_model), weights in
                            ../flux_kontext_tiny_weights.safetensors so the DJL path can load the same weights
    vae_encoder.onnx        vae_tiny_weights' encoder, returning normalised latents (mean - shift) * scale
    vae_decoder.onnx        vae_tiny_weights' decoder, taking normalised latents (F16 weights and I/O)
    text_encoder.onnx       t5_tiny_weights' encoder: input_ids (1, L) -> (1, L, 32)
  flux_kontext_tiny_weights.safetensors
  onnx_io.safetensors       reference outputs: the F16 denoiser on flux_tiny_io.safetensors' inputs
                            (flux_fp16_output), the VAE and text graphs on fixed inputs

Graph inputs of the denoiser: hidden_states (1, N, 16), encoder_hidden_states (1, T, J), pooled_projections (1, P),
timestep (1), guidance (1), img_ids (N, 3) int64, txt_ids (T, 3) int64; output sample (1, N, 16). RoPE is computed
inside the graph (in float32: ONNX Runtime's CPU provider has no float64 Cos). The script is deterministic.

With `--small DIR` it writes only a small benchmark denoiser (see small_denoiser) into DIR, for OnnxBenchmark.
"""
import json
import os
import struct
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_fixtures as mf  # noqa: E402

FIX = mf.OUT
OUT = os.path.join(FIX, "onnx")
EDITOR = os.path.join(OUT, "editor")
OPSET = 13


def _layer_norm(x):
    """LayerNorm without affine over the last axis; F.layer_norm's traced normalized_shape is not constant."""
    mean = x.mean(-1, keepdim=True)
    var = (x - mean).pow(2).mean(-1, keepdim=True)
    return (x - mean) / torch.sqrt(var + mf.EPS)


def _rope_float32(ids):
    """RoPE angles in float32: ONNX Runtime's CPU provider has no float64 Cos/Sin. The frequencies are still
    computed in float64 (constants); for position ids of a few thousand the angle differs by under 1e-6 relative."""
    cos, sin = [], []
    for axis, d in enumerate(mf.AXES):
        freqs = (1.0 / (mf.THETA ** (torch.arange(0, d, 2, dtype=torch.float64) / d))).float()
        ang = ids[:, axis].float()[:, None] * freqs[None, :]
        cos.append(ang.cos())
        sin.append(ang.sin())
    return torch.cat(cos, -1), torch.cat(sin, -1)


mf.ln = _layer_norm
mf.rope = _rope_float32


def read_safetensors(path):
    """Minimal reader for the F32/I64 files make_fixtures.py writes."""
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        b, e = info["data_offsets"]
        fmt, dt = {"F32": ("f", torch.float32), "I64": ("q", torch.int64)}[info["dtype"]]
        count = (e - b) // struct.calcsize(fmt)
        out[name] = torch.tensor(struct.unpack("<%d%s" % (count, fmt), data[b:e]), dtype=dt).reshape(info["shape"])
    return out


class Weights(torch.nn.Module):
    """Holds a weight dict as buffers (optionally F16) and hands it back as F32 tensors inside the traced graph."""

    def __init__(self, w, half):
        super().__init__()
        self.names = sorted(w)
        for i, n in enumerate(self.names):
            self.register_buffer("w%d" % i, w[n].half() if half else w[n].clone())

    def get(self):
        return {n: getattr(self, "w%d" % i).float() for i, n in enumerate(self.names)}


class FluxGraph(torch.nn.Module):
    def __init__(self, w, half=False):
        super().__init__()
        self.w = Weights(w, half)
        self.half_io = half

    def forward(self, hidden, context, pooled, t, g, img_ids, txt_ids):
        out = mf.flux_forward(self.w.get(), hidden.float(), context.float(), pooled.float(), t.float(), g.float(),
                              img_ids, txt_ids)
        return out.half() if self.half_io else out


class VaeGraph(torch.nn.Module):
    def __init__(self, w, encode, half=False):
        super().__init__()
        self.w = Weights(w, half)
        self.encode = encode
        self.half_io = half

    def forward(self, x):
        y = mf.vae_forward(self.w.get(), x.float(), self.encode)
        if self.encode:
            y = (y - mf.VAE_SHIFT) * mf.VAE_SCALE
        return y.half() if self.half_io else y


def t5_forward(w, ids):
    """The tiny T5 v1.1 encoder of make_fixtures.t5_fixture, as a function of the weights."""
    L = ids.shape[1]
    inner = mf.T5_HEADS * mf.T5_DKV
    pos = torch.arange(L)
    rel = pos[None, :] - pos[:, None]
    bias = w["encoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight"][mf.t5_bucket(rel)]
    bias = bias.permute(2, 0, 1)[None]

    def norm(x, n):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + 1e-6) * w[n]

    x = w["shared.weight"][ids]
    for i in range(mf.T5_LAYERS):
        b = "encoder.block.%d.layer." % i
        h = norm(x, b + "0.layer_norm.weight")
        q, k, v = (mf.heads4(h @ w[b + "0.SelfAttention.%s.weight" % n].T) for n in "qkv")
        a = ((q @ k.transpose(-1, -2)) + bias).softmax(-1) @ v
        x = x + a.transpose(1, 2).reshape(1, L, inner) @ w[b + "0.SelfAttention.o.weight"].T
        h = norm(x, b + "1.layer_norm.weight")
        g = torch.nn.functional.gelu(h @ w[b + "1.DenseReluDense.wi_0.weight"].T, approximate="tanh")
        x = x + (g * (h @ w[b + "1.DenseReluDense.wi_1.weight"].T)) @ w[b + "1.DenseReluDense.wo.weight"].T
    return norm(x, "encoder.final_layer_norm.weight")


class T5Graph(torch.nn.Module):
    def __init__(self, w):
        super().__init__()
        self.w = Weights({k: v for k, v in w.items() if k != "encoder.embed_tokens.weight"}, False)

    def forward(self, ids):
        return t5_forward(self.w.get(), ids)


FLUX_IN = ["hidden_states", "encoder_hidden_states", "pooled_projections", "timestep", "guidance", "img_ids",
           "txt_ids"]
FLUX_AXES = {"hidden_states": {1: "image_tokens"}, "encoder_hidden_states": {1: "text_tokens"},
             "img_ids": {0: "image_tokens"}, "txt_ids": {0: "text_tokens"}, "sample": {1: "image_tokens"}}


def export(model, args, path, inputs, outputs, axes, half=False):
    # Constant folding would fold the F16 weights' casts into F32 constants, so F16 graphs are exported unfolded.
    with torch.no_grad():
        torch.onnx.export(model.eval(), args, path, input_names=inputs, output_names=outputs, dynamic_axes=axes,
                          opset_version=OPSET, do_constant_folding=not half)


def flux_exports():
    w = read_safetensors(os.path.join(FIX, "flux_tiny_weights.safetensors"))
    io = read_safetensors(os.path.join(FIX, "flux_tiny_io.safetensors"))
    args = (io["hidden"], io["encoder_hidden"], io["pooled"], io["timestep"], io["guidance"], io["img_ids"],
            io["txt_ids"])
    export(FluxGraph(w), args, os.path.join(OUT, "flux_tiny.onnx"), FLUX_IN, ["sample"], FLUX_AXES)
    half = FluxGraph(w, half=True)
    hargs = tuple(a.half() if a.dtype == torch.float32 else a for a in args)
    export(half, hargs, os.path.join(OUT, "flux_tiny_fp16.onnx"), FLUX_IN, ["sample"], FLUX_AXES, half=True)
    with torch.no_grad():
        ref16 = half(*hargs).float()
    return {"flux_fp16_output": ref16}


def editor_exports():
    os.makedirs(EDITOR, exist_ok=True)
    # The editor's denoiser: the same structure, with joint_attention_dim 32 so the tiny T5 feeds it directly.
    joint = mf.JOINT
    mf.JOINT = 32
    try:
        w = mf.make_weights(torch.Generator().manual_seed(20261127))
    finally:
        mf.JOINT = joint
    mf.write_safetensors(os.path.join(OUT, "flux_kontext_tiny_weights.safetensors"), w, {"format": "pt"})
    gen = torch.Generator().manual_seed(3)
    n, t = 6, 5
    args = (torch.randn(1, n, mf.IN_CH, generator=gen), torch.randn(1, t, 32, generator=gen),
            torch.zeros(1, mf.POOLED), torch.tensor([0.5]), torch.tensor([2.5]),
            torch.tensor([[0, r, c] for r in range(2) for c in range(3)], dtype=torch.int64),
            torch.zeros(t, 3, dtype=torch.int64))
    export(FluxGraph(w), args, os.path.join(EDITOR, "denoiser.onnx"), FLUX_IN, ["sample"], FLUX_AXES)

    vw = read_safetensors(os.path.join(FIX, "vae_tiny_weights.safetensors"))
    vio = read_safetensors(os.path.join(FIX, "vae_tiny_io.safetensors"))
    img_axes = {2: "height", 3: "width"}
    enc = VaeGraph(vw, True)
    export(enc, (vio["image"],), os.path.join(EDITOR, "vae_encoder.onnx"), ["image"], ["latents"],
           {"image": img_axes, "latents": img_axes})
    dec = VaeGraph(vw, False, half=True)
    export(dec, (vio["latents"].half(),), os.path.join(EDITOR, "vae_decoder.onnx"), ["latents"], ["image"],
           {"latents": img_axes, "image": img_axes}, half=True)

    tw = read_safetensors(os.path.join(FIX, "t5_tiny_weights.safetensors"))
    tio = read_safetensors(os.path.join(FIX, "t5_tiny_io.safetensors"))
    export(T5Graph(tw), (tio["ids"],), os.path.join(EDITOR, "text_encoder.onnx"), ["input_ids"],
           ["last_hidden_state"], {"input_ids": {1: "tokens"}, "last_hidden_state": {1: "tokens"}})
    with torch.no_grad():
        return {"vae_image": vio["image"], "vae_encoded": enc(vio["image"]), "vae_latents": vio["latents"],
                "vae_decoded_fp16": dec(vio["latents"].half()).float(), "t5_ids": tio["ids"],
                "t5_output": T5Graph(tw)(tio["ids"])}


CONFIG = {
    "denoiser": {
        "file": "denoiser.onnx",
        "inputs": {
            "hidden_states": {"name": "hidden_states", "dtype": "float32", "shape": [1, -1, 16]},
            "encoder_hidden_states": {"name": "encoder_hidden_states", "dtype": "float32", "shape": [1, -1, 32]},
            "pooled_projections": {"name": "pooled_projections", "dtype": "float32", "shape": [1, 8]},
            "timestep": {"name": "timestep", "dtype": "float32", "shape": [1]},
            "guidance": {"name": "guidance", "dtype": "float32", "shape": [1]},
            "img_ids": {"name": "img_ids", "dtype": "int64", "shape": [-1, 3]},
            "txt_ids": {"name": "txt_ids", "dtype": "int64", "shape": [-1, 3]},
        },
        "outputs": {"sample": {"name": "sample", "dtype": "float32", "shape": [1, -1, 16]}},
    },
    "vae_encoder": {
        "file": "vae_encoder.onnx",
        "inputs": {"image": {"name": "image", "dtype": "float32", "shape": [1, 3, -1, -1]}},
        "outputs": {"latents": {"name": "latents", "dtype": "float32", "shape": [1, 4, -1, -1]}},
    },
    "vae_decoder": {
        "file": "vae_decoder.onnx",
        "inputs": {"latents": {"name": "latents", "dtype": "float16", "shape": [1, 4, -1, -1]}},
        "outputs": {"image": {"name": "image", "dtype": "float16", "shape": [1, 3, -1, -1]}},
    },
    "text_encoder": {
        "file": "text_encoder.onnx",
        "inputs": {"input_ids": {"name": "input_ids", "dtype": "int64", "shape": [1, -1]}},
        "outputs": {"hidden_states": {"name": "last_hidden_state", "dtype": "float32", "shape": [1, -1, 32]}},
    },
    "vae_spatial_factor": 2,
    "max_text_tokens": 32,
}


def config_json(cfg):
    """The config with one tensor per line, so it reads (and diffs) as a table."""
    out, items = ["{"], list(cfg.items())
    for i, (key, value) in enumerate(items):
        comma = "," if i < len(items) - 1 else ""
        if not isinstance(value, dict):
            out.append('  "%s": %s%s' % (key, json.dumps(value), comma))
            continue
        out.append('  "%s": {' % key)
        out.append('    "file": %s,' % json.dumps(value["file"]))
        for side in ("inputs", "outputs"):
            out.append('    "%s": {' % side)
            roles = list(value[side].items())
            for j, (role, tensor) in enumerate(roles):
                out.append('      "%s": %s%s' % (role, json.dumps(tensor), "," if j < len(roles) - 1 else ""))
            out.append("    }" + ("," if side == "inputs" else ""))
        out.append("  }" + comma)
    return "\n".join(out + ["}"]) + "\n"


SMALL = {"N_DOUBLE": 2, "N_SINGLE": 4, "HEADS": 4, "HEAD_DIM": 32, "AXES": (8, 12, 12)}


def small_denoiser(out_dir):
    """For the benchmark only (not committed): a small Flux (2+4 blocks, 4 heads x 32, joint 32, pooled 8) as
    out_dir/denoiser.onnx and out_dir/flux_small_weights.safetensors; it fits the tiny editor's VAE and T5."""
    os.makedirs(out_dir, exist_ok=True)
    saved = {k: getattr(mf, k) for k in list(SMALL) + ["D", "JOINT"]}
    try:
        for k, v in SMALL.items():
            setattr(mf, k, v)
        mf.D, mf.JOINT = mf.HEADS * mf.HEAD_DIM, 32
        w = mf.make_weights(torch.Generator().manual_seed(99))
        mf.write_safetensors(os.path.join(out_dir, "flux_small_weights.safetensors"), w, {"format": "pt"})
        gen = torch.Generator().manual_seed(3)
        n, t = 6, 5
        args = (torch.randn(1, n, mf.IN_CH, generator=gen), torch.randn(1, t, 32, generator=gen),
                torch.zeros(1, mf.POOLED), torch.tensor([0.5]), torch.tensor([2.5]),
                torch.tensor([[0, r, c] for r in range(2) for c in range(3)], dtype=torch.int64),
                torch.zeros(t, 3, dtype=torch.int64))
        export(FluxGraph(w), args, os.path.join(out_dir, "denoiser.onnx"), FLUX_IN, ["sample"], FLUX_AXES)
    finally:
        for k, v in saved.items():
            setattr(mf, k, v)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--small":
        small_denoiser(sys.argv[2])
        sys.exit(0)
    os.makedirs(OUT, exist_ok=True)
    refs = flux_exports()
    refs.update(editor_exports())
    mf.write_safetensors(os.path.join(OUT, "onnx_io.safetensors"), refs)
    with open(os.path.join(EDITOR, "onnx-editor.json"), "w") as f:
        f.write(config_json(CONFIG))
