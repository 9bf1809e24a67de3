#!/usr/bin/python3
"""The edit lab's tiny Kontext-style Flux editor written in plain PyTorch.

A replica of what `gptedit lab` trains in Java (io.gptedit.models.flux.FluxTransformer over 2x2-packed pixel
tokens, examples/.../lab/LabModel.java): same blocks (double-stream MMDiT + single-stream), same RoPE, same
modulation, same init scheme, same loss, schedule and Euler sampler. It exists for two reasons:

* `bench`: time training steps of the same architecture in Python PyTorch on the same machine, for the
  Java/Python throughput ratio in docs/benchmarks.md;
* `train`: try training recipes quickly (on a GPU when one is lent) before porting the one that works to Java.

Data comes from `export`: the lab's WebDataset shards (written by `gptedit lab`) packed into one .npz.
Only numpy, Pillow and torch are needed.
"""
import argparse
import io
import json
import math
import os
import sys
import tarfile
import time
import zlib

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

# ----------------------------------------------------------------------------------------------------------------
# Data


def export(shard_dirs, out):
    """Packs the lab's shards (tar of key.input.png, key.edited.png, key.json) into one compressed .npz."""
    from PIL import Image

    inputs, targets, texts, tasks = [], [], [], []
    for d in shard_dirs:
        for name in sorted(os.listdir(d)):
            if not name.endswith(".tar"):
                continue
            with tarfile.open(os.path.join(d, name)) as tar:
                members = {}
                for m in tar.getmembers():
                    key, _, ext = m.name.partition(".")
                    members.setdefault(key, {})[ext] = tar.extractfile(m).read()
                for key in sorted(members):
                    f = members[key]
                    meta = json.loads(f["json"])
                    inputs.append(np.asarray(Image.open(io.BytesIO(f["input.png"])).convert("RGB")))
                    targets.append(np.asarray(Image.open(io.BytesIO(f["edited.png"])).convert("RGB")))
                    texts.append(meta["instruction"]["original"])
                    tasks.append(meta["source"]["task"])
    np.savez_compressed(out, inputs=np.stack(inputs), targets=np.stack(targets), texts=np.array(texts),
                        tasks=np.array(tasks))
    print(f"{len(inputs)} samples -> {out}")


class TextEncoder:
    """The lab's frozen T5-style stand-in: a fixed Gaussian vector per word plus a sinusoidal position code."""

    def __init__(self, tokens=16, dim=32, seed=7 ^ 0x7E47):
        self.tokens, self.dim, self.seed = tokens, dim, seed
        self.cache = {}

    def word(self, w):
        if w not in self.cache:
            self.cache[w] = np.random.default_rng([self.seed, zlib.crc32(w.encode())]).standard_normal(self.dim)
        return self.cache[w]

    def encode(self, text):
        import re
        words = re.sub("[^a-z0-9]+", " ", text.lower()).split()[: self.tokens]
        tok = np.zeros((self.tokens, self.dim), np.float32)
        j = np.arange(self.dim)
        freq = 100.0 ** (-(j // 2 * 2) / self.dim)
        for k, w in enumerate(words):
            pos = np.where(j % 2 == 0, np.sin((k + 1) * freq), np.cos((k + 1) * freq))
            tok[k] = self.word(w) + 0.5 * pos
        pooled = tok[: len(words)].mean(0) if words else np.zeros(self.dim, np.float32)
        return tok, pooled


# ----------------------------------------------------------------------------------------------------------------
# Model


def pack(x, p):
    """(B, C, H, W) -> (B, H/p * W/p, C*p*p), channel-major inside a patch like LatentPacking."""
    b, c, h, w = x.shape
    return x.reshape(b, c, h // p, p, w // p, p).permute(0, 2, 4, 1, 3, 5).reshape(b, (h // p) * (w // p), c * p * p)


def unpack(t, h, w, p):
    b, n, cpp = t.shape
    c = cpp // (p * p)
    return t.reshape(b, h // p, w // p, c, p, p).permute(0, 3, 1, 4, 2, 5).reshape(b, c, h, w)


def rope_tables(ids, axes, theta=10000.0):
    """ids (S, 3) -> cos, sin (S, sum(axes)/2), per axis frequencies theta^(-2j/d)."""
    angles = []
    for a, d in enumerate(axes):
        j = torch.arange(d // 2, dtype=torch.float64, device=ids.device)
        freq = 1.0 / theta ** (2.0 * j / d)
        angles.append(ids[:, a : a + 1].double() * freq)
    ang = torch.cat(angles, 1)
    return ang.cos().float(), ang.sin().float()


def apply_rope(x, cos, sin):
    s = x.shape
    pairs = x.reshape(*s[:-1], s[-1] // 2, 2)
    x0, x1 = pairs[..., 0], pairs[..., 1]
    return torch.stack([x0 * cos - x1 * sin, x1 * cos + x0 * sin], -1).reshape(s)


def layer_norm(x, eps=1e-6):
    return F.layer_norm(x, x.shape[-1:], eps=eps)


def rms_norm(x, w, eps=1e-6):
    return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * w


def timestep_embedding(t, dim=256):
    half = dim // 2
    freq = torch.exp(-math.log(10000.0) * torch.arange(half, dtype=torch.float32, device=t.device) / half)
    arg = t[:, None].float() * freq[None]
    return torch.cat([arg.cos(), arg.sin()], 1)


class Linear(nn.Linear):
    """nn.Linear with the Java ParameterSpec init: weight N(0, 1/fan_in), bias N(0, 0.02)."""

    def reset_parameters(self):
        nn.init.normal_(self.weight, 0, 1 / math.sqrt(self.in_features))
        if self.bias is not None:
            nn.init.normal_(self.bias, 0, 0.02)


def near_one(d):
    return nn.Parameter(1 + 0.1 * torch.randn(d))


class Flux(nn.Module):
    def __init__(self, in_ch, out_ch, double, single, heads, head_dim, ctx_dim, pooled_dim, axes, mlp_ratio=4):
        super().__init__()
        d = heads * head_dim
        self.heads, self.head_dim, self.axes = heads, head_dim, axes
        m = d * mlp_ratio
        self.x_embedder = Linear(in_ch, d)
        self.context_embedder = Linear(ctx_dim, d)
        self.t1, self.t2 = Linear(256, d), Linear(d, d)
        self.p1, self.p2 = Linear(pooled_dim, d), Linear(d, d)
        self.doubles = nn.ModuleList()
        for _ in range(double):
            b = nn.Module()
            b.norm1, b.norm1_c = Linear(d, 6 * d), Linear(d, 6 * d)
            b.q, b.k, b.v, b.aq, b.ak, b.av = (Linear(d, d) for _ in range(6))
            b.nq, b.nk, b.naq, b.nak = (near_one(head_dim) for _ in range(4))
            b.out, b.add_out = Linear(d, d), Linear(d, d)
            b.ff1, b.ff2, b.cff1, b.cff2 = Linear(d, m), Linear(m, d), Linear(d, m), Linear(m, d)
            self.doubles.append(b)
        self.singles = nn.ModuleList()
        for _ in range(single):
            b = nn.Module()
            b.norm = Linear(d, 3 * d)
            b.q, b.k, b.v = Linear(d, d), Linear(d, d), Linear(d, d)
            b.nq, b.nk = near_one(head_dim), near_one(head_dim)
            b.mlp, b.out = Linear(d, m), Linear(d + m, d)
            self.singles.append(b)
        self.norm_out = Linear(d, 2 * d)
        self.proj_out = Linear(d, out_ch)

    def split_heads(self, x):
        b, s, _ = x.shape
        return x.reshape(b, s, self.heads, self.head_dim).transpose(1, 2)

    @staticmethod
    def merge(x):
        b, h, s, d = x.shape
        return x.transpose(1, 2).reshape(b, s, h * d)

    def attention(self, q, k, v):
        # The Java editor's attention (io.gptedit.models.nn.Layers.attention), op for op: softmax((q / sqrt(d)) k^T) v,
        # the scale on the queries rather than on the scores. Not F.scaled_dot_product_attention: DJL 0.36 has no
        # fused attention, and this replica is the Java step's arithmetic in PyTorch.
        return torch.softmax((q * (1.0 / math.sqrt(q.shape[-1]))) @ k.transpose(-1, -2), -1) @ v

    def double_block(self, b, h, c, st, cos, sin):
        """One double block: image stream h, text stream c, st = silu(temb)."""
        gelu = lambda x: F.gelu(x, approximate="tanh")
        m = b.norm1(st).chunk(6, 1)
        mc = b.norm1_c(st).chunk(6, 1)
        x = layer_norm(h) * (1 + m[1][:, None]) + m[0][:, None]
        cx = layer_norm(c) * (1 + mc[1][:, None]) + mc[0][:, None]
        q = torch.cat([rms_norm(self.split_heads(b.aq(cx)), b.naq), rms_norm(self.split_heads(b.q(x)), b.nq)], 2)
        k = torch.cat([rms_norm(self.split_heads(b.ak(cx)), b.nak), rms_norm(self.split_heads(b.k(x)), b.nk)], 2)
        v = torch.cat([self.split_heads(b.av(cx)), self.split_heads(b.v(x))], 2)
        a = self.merge(self.attention(apply_rope(q, cos, sin), apply_rope(k, cos, sin), v))
        lt = c.shape[1]
        h = h + b.out(a[:, lt:]) * m[2][:, None]
        h = h + b.ff2(gelu(b.ff1(layer_norm(h) * (1 + m[4][:, None]) + m[3][:, None]))) * m[5][:, None]
        c = c + b.add_out(a[:, :lt]) * mc[2][:, None]
        c = c + b.cff2(gelu(b.cff1(layer_norm(c) * (1 + mc[4][:, None]) + mc[3][:, None]))) * mc[5][:, None]
        return h, c

    def single_block(self, b, j, st, cos, sin):
        """One single block over the joint sequence j = [text ; image]."""
        gelu = lambda x: F.gelu(x, approximate="tanh")
        m = b.norm(st).chunk(3, 1)
        x = layer_norm(j) * (1 + m[1][:, None]) + m[0][:, None]
        q = apply_rope(rms_norm(self.split_heads(b.q(x)), b.nq), cos, sin)
        k = apply_rope(rms_norm(self.split_heads(b.k(x)), b.nk), cos, sin)
        a = self.merge(self.attention(q, k, self.split_heads(b.v(x))))
        return j + b.out(torch.cat([a, gelu(b.mlp(x))], 2)) * m[2][:, None]

    def forward(self, hidden, context, pooled, t, ids):
        """hidden (B, S, in), context (B, L, ctx), pooled (B, P), t (B,) in [0, 1], ids (L + S, 3)."""
        cos, sin = rope_tables(ids, self.axes)
        cos, sin = cos.to(hidden.device), sin.to(hidden.device)
        h = self.x_embedder(hidden)
        c = self.context_embedder(context)
        temb = self.t2(F.silu(self.t1(timestep_embedding(t * 1000)))) + self.p2(F.silu(self.p1(pooled)))
        st = F.silu(temb)
        for b in self.doubles:
            h, c = self.double_block(b, h, c, st, cos, sin)
        lt = c.shape[1]
        j = torch.cat([c, h], 1)
        for b in self.singles:
            j = self.single_block(b, j, st, cos, sin)
        h = j[:, lt:]
        shift_scale = self.norm_out(st).chunk(2, 1)
        h = layer_norm(h) * (1 + shift_scale[0][:, None]) + shift_scale[1][:, None]
        return self.proj_out(h)


# ----------------------------------------------------------------------------------------------------------------
# The lab's editor, loss, sampler and metrics


class Editor(nn.Module):
    """Kontext-style: sequence [noisy ; condition] tokens, output sliced to the noisy part."""

    def __init__(self, a, side):
        super().__init__()
        self.a, self.side, self.p = a, side, a.patch
        ch = 3 * a.patch * a.patch
        axes = (4, 6, 6) if a.head_dim == 16 else (a.head_dim // 4, 3 * a.head_dim // 8, 3 * a.head_dim // 8)
        self.flux = Flux(ch, ch, a.double, a.single, a.heads, a.head_dim, 32, 32, axes)
        if a.zero_head:
            nn.init.zeros_(self.flux.proj_out.weight)
            nn.init.zeros_(self.flux.proj_out.bias)
        g = side // a.patch
        rc = torch.stack(torch.meshgrid(torch.arange(g), torch.arange(g), indexing="ij"), -1).reshape(-1, 2)
        noisy = torch.cat([torch.zeros(g * g, 1, dtype=torch.long), rc], 1)
        cond = torch.cat([torch.full((g * g, 1), 0 if a.ids == "shared" else 1, dtype=torch.long), rc], 1)
        self.tokens = g * g
        self.register_buffer("ids", torch.cat([torch.zeros(16, 3, dtype=torch.long), noisy, cond], 0), persistent=False)

    def forward(self, x, cond, text, pooled, t):
        out = self.flux(torch.cat([pack(x, self.p), pack(cond, self.p)], 1), text, pooled, t, self.ids)
        return unpack(out[:, : self.tokens], self.side, self.side, self.p)


def sample_t(a, n, gen, device):
    if a.t_dist == "uniform":
        return torch.rand(n, generator=gen, device=device)
    if a.t_dist == "one":
        return torch.ones(n, device=device)
    u = torch.randn(n, generator=gen, device=device) * a.t_std + a.t_mean
    return torch.sigmoid(u)


def loss_fn(model, a, x0, cond, text, pooled, mask, gen):
    b = x0.shape[0]
    t = sample_t(a, b, gen, x0.device)
    noise = torch.randn(x0.shape, generator=gen, device=x0.device)
    tt = t[:, None, None, None]
    xt = (1 - tt) * x0 + tt * noise
    out = model(xt, cond, text, pooled, t)
    if a.prediction == "residual":
        pred, target = cond + out, x0
    else:
        pred, target = out, noise - x0
    se = (pred - target) ** 2
    if a.balance > 0:
        # Mask-balanced: per sample, the mean error inside the edit mask and the mean error outside it, weighted
        # balance : 1 - balance, the same split the IF / IP metrics make.
        inside = (se * mask).flatten(1).sum(1) / mask.flatten(1).sum(1).clamp(min=1)
        outside = (se * (1 - mask)).flatten(1).sum(1) / (1 - mask).flatten(1).sum(1).clamp(min=1)
        return (a.balance * inside + (1 - a.balance) * outside).mean()
    w = 1 + a.edit_weight * mask
    return (se * w).mean()


@torch.no_grad()
def edit(model, a, cond, text, pooled, steps, gen):
    x = torch.randn(cond.shape, generator=gen, device=cond.device)
    for k in range(steps):
        t = 1 - k / steps
        t_next = 1 - (k + 1) / steps
        ts = torch.full((cond.shape[0],), t, device=cond.device)
        out = model(x, cond, text, pooled, ts)
        v = (x - (cond + out)) / t if a.prediction == "residual" else out
        x = x + v * (t_next - t)
    return x


def to_uint8(x):
    return ((x.clamp(-1, 1) + 1) * 127.5).round().to(torch.uint8)


def metrics(out, inp, tgt, tol=32):
    """out/inp/tgt: (N, 3, H, W) uint8. Returns IF, IP, PSNR, MAE means and the per-sample IF/IP."""
    o, i, t = out.int(), inp.int(), tgt.int()
    mask = (i != t).any(1)
    ok_t = ((o - t).abs() <= tol).all(1)
    ok_i = ((o - i).abs() <= tol).all(1)
    m = mask.flatten(1).float()
    inside = m.sum(1)
    outside = (1 - m).sum(1)
    ifs = torch.where(inside > 0, (ok_t.flatten(1).float() * m).sum(1) / inside.clamp(min=1), torch.ones_like(inside))
    ips = torch.where(outside > 0, (ok_i.flatten(1).float() * (1 - m)).sum(1) / outside.clamp(min=1),
                      torch.ones_like(outside))
    d = (o - t).float()
    mse = (d ** 2).flatten(1).mean(1)
    psnr = torch.where(mse == 0, torch.full_like(mse, 99.0), (10 * torch.log10(255.0 ** 2 / mse)).clamp(max=99))
    mae = d.abs().flatten(1).mean(1)
    return ifs.mean().item(), ips.mean().item(), psnr.mean().item(), mae.mean().item(), ifs, ips


def load(path, n, offset, enc, device):
    z = np.load(path)
    sl = slice(offset, offset + n)
    inp = torch.from_numpy(z["inputs"][sl]).permute(0, 3, 1, 2).contiguous()
    tgt = torch.from_numpy(z["targets"][sl]).permute(0, 3, 1, 2).contiguous()
    texts = z["texts"][sl]
    enc_all = [enc.encode(str(s)) for s in texts]
    text = torch.from_numpy(np.stack([e[0] for e in enc_all]))
    pooled = torch.from_numpy(np.stack([e[1] for e in enc_all]).astype(np.float32))
    mask = (inp != tgt).any(1, keepdim=True).float().expand(-1, 3, -1, -1).contiguous()
    f = lambda u: u.float() / 127.5 - 1
    tasks = z["tasks"][sl]
    return dict(inp=inp.to(device), tgt=tgt.to(device), cond=f(inp).to(device), x0=f(tgt).to(device),
                text=text.to(device), pooled=pooled.to(device), mask=mask.to(device), tasks=tasks)


def lr_at(a, step):
    if step < a.warmup:
        return a.lr * (step + 1) / a.warmup
    if a.schedule == "constant":
        return a.lr
    p = (step - a.warmup) / max(1, a.steps - a.warmup)
    lo = a.lr * 0.05
    return lo + (a.lr - lo) * 0.5 * (1 + math.cos(math.pi * min(1.0, p)))


def evaluate(model, a, held, steps_list, device):
    res = {}
    for s in steps_list:
        gen = torch.Generator(device=device).manual_seed(a.seed * 31)
        outs = []
        for i in range(0, held["cond"].shape[0], 256):
            sl = slice(i, i + 256)
            outs.append(edit(model, a, held["cond"][sl], held["text"][sl], held["pooled"][sl], s, gen))
        out = to_uint8(torch.cat(outs))
        r = metrics(out, held["inp"], held["tgt"])
        per_task = {}
        for task in sorted(set(held["tasks"])):
            idx = torch.tensor([k for k, x in enumerate(held["tasks"]) if x == task], device=r[4].device)
            per_task[task] = (round(r[4][idx].mean().item(), 3), round(r[5][idx].mean().item(), 3))
        res[s] = dict(IF=r[0], IP=r[1], PSNR=r[2], MAE=r[3], tasks=per_task)
    return res


def train(a):
    device = a.device
    torch.manual_seed(a.seed)
    if a.threads:
        torch.set_num_threads(a.threads)
    enc = TextEncoder()
    tr = load(a.data, a.train, 0, enc, device)
    held = load(a.data, a.heldout, a.heldout_offset, enc, device)
    side = tr["cond"].shape[-1]
    model = Editor(a, side).to(device)
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=a.lr, betas=(0.9, 0.99), eps=1e-8, weight_decay=0.0)
    gen = torch.Generator(device=device).manual_seed(a.seed)
    n = tr["cond"].shape[0]
    t0 = time.time()
    losses = []
    log = {}
    for step in range(a.steps):
        if a.max_seconds and time.time() - t0 > a.max_seconds:
            print(json.dumps({"stopped_at": step, "reason": "max-seconds"}), flush=True)
            break
        for g in opt.param_groups:
            g["lr"] = lr_at(a, step)
        idx = torch.randint(0, n, (a.batch,), generator=gen, device=device)
        loss = loss_fn(model, a, tr["x0"][idx], tr["cond"][idx], tr["text"][idx], tr["pooled"][idx], tr["mask"][idx], gen)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        losses.append(loss.item() if (step % 50 == 0 or step == a.steps - 1) else float("nan"))
        if a.eval_every and (step + 1) % a.eval_every == 0 and step + 1 < a.steps:
            model.eval()
            log[step + 1] = evaluate(model, a, held, [a.sample_steps], device)[a.sample_steps]
            model.train()
            print(json.dumps({"step": step + 1, "s": round(time.time() - t0, 1), **log[step + 1]}), flush=True)
    secs = time.time() - t0
    model.eval()
    res = evaluate(model, a, held, sorted(set([1, 2, a.sample_steps, 8])), device)
    out = dict(args=vars(a), seconds=secs, params=sum(p.numel() for p in params), progress=log, final=res)
    print(json.dumps(out), flush=True)
    return out


def bench(a):
    """Times training steps (forward, backward, AdamW) of the lab editor on random data."""
    torch.manual_seed(a.seed)
    if a.threads:
        torch.set_num_threads(a.threads)
        torch.set_num_interop_threads(1)
    side = a.size
    model = Editor(a, side)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, betas=(0.9, 0.99), eps=1e-8, weight_decay=0.0)
    gen = torch.Generator().manual_seed(a.seed)
    x0 = torch.rand(a.batch, 3, side, side, generator=gen) * 2 - 1
    cond = torch.rand(a.batch, 3, side, side, generator=gen) * 2 - 1
    text = torch.randn(a.batch, 16, 32, generator=gen)
    pooled = torch.randn(a.batch, 32, generator=gen)
    mask = (torch.rand(a.batch, 3, side, side, generator=gen) < 0.2).float()
    times = []
    for i in range(a.warm + a.steps):
        t = time.perf_counter()
        loss = loss_fn(model, a, x0, cond, text, pooled, mask, gen)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        if i >= a.warm:
            times.append(time.perf_counter() - t)
    times.sort()
    med = times[len(times) // 2]
    print(json.dumps(dict(torch=torch.__version__, threads=torch.get_num_threads(), size=side, batch=a.batch,
                          double=a.double, single=a.single, heads=a.heads, params=sum(p.numel() for p in model.parameters()),
                          median_step_s=med, samples_per_s=a.batch / med, steps=a.steps)))


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("mode", choices=["export", "train", "bench"])
    p.add_argument("--shards", nargs="*", default=[], help="export: shard folders")
    p.add_argument("--data", default="lab.npz", help="export: output; train: input")
    p.add_argument("--train", type=int, default=3000)
    p.add_argument("--heldout", type=int, default=64)
    p.add_argument("--heldout-offset", type=int, default=None, help="first held-out row (default: after train)")
    p.add_argument("--steps", type=int, default=2000)
    p.add_argument("--warm", type=int, default=10, help="bench: untimed warm-up steps")
    p.add_argument("--batch", type=int, default=16)
    p.add_argument("--size", type=int, default=16, help="bench: image side")
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--warmup", type=int, default=50)
    p.add_argument("--schedule", choices=["cosine", "constant"], default="cosine")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--double", type=int, default=2)
    p.add_argument("--single", type=int, default=2)
    p.add_argument("--heads", type=int, default=4)
    p.add_argument("--head-dim", type=int, default=16)
    p.add_argument("--patch", type=int, default=2)
    p.add_argument("--ids", choices=["shared", "kontext"], default="shared")
    p.add_argument("--prediction", choices=["residual", "velocity"], default="residual")
    p.add_argument("--zero-head", type=int, default=1)
    p.add_argument("--edit-weight", type=float, default=1.0)
    p.add_argument("--balance", type=float, default=0.0, help="mask-balanced loss weight of the edit region (0: off)")
    p.add_argument("--t-dist", choices=["logit-normal", "uniform", "one"], default="logit-normal")
    p.add_argument("--t-mean", type=float, default=0.0)
    p.add_argument("--t-std", type=float, default=1.0)
    p.add_argument("--sample-steps", type=int, default=4)
    p.add_argument("--eval-every", type=int, default=0)
    p.add_argument("--threads", type=int, default=0)
    p.add_argument("--max-seconds", type=float, default=0, help="train: stop early after this long")
    p.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    a = p.parse_args(argv)
    if a.heldout_offset is None:
        a.heldout_offset = a.train
    if a.mode == "export":
        export(a.shards, a.data)
    elif a.mode == "train":
        train(a)
    else:
        bench(a)


if __name__ == "__main__":
    main()
