#!/usr/bin/env python3
"""PyTorch eager peer of io.gptedit.models.bench.GpuTrainBenchmark (tools/gpu/run.sh runs both on one GPU).

Trains the same random-weight Kontext transformer (tools/lab_torch.py's Flux, the repository's plain-PyTorch
reference, at Kontext-dev size: 19 + 38 blocks, 24 heads x 128) for a few steps: frozen weights in float16, the
trainable ones (the paper's stage-2 image-branch selection, or LoRA adapters on every attention and MLP
projection) as float32 masters cast to float16 per step, fp16 compute, flow-matching MSE in float32, dynamic loss
scaling, AdamW; optionally every block checkpointed with torch.utils.checkpoint. Prints one `result ...` line with
samples/s, ms/step and torch.cuda.max_memory_allocated, in the key=value format of the Java side.

    python tools/gpu/torch_step.py --device cuda --config kontext-dev --side 512 --mode stage2 --ckpt 1
"""
import argparse
import math
import os
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.checkpoint import checkpoint

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import lab_torch  # noqa: E402

CONFIGS = {  # in/out channels, double, single, heads, head_dim, joint dim, pooled dim, axes
    "kontext-dev": (64, 19, 38, 24, 128, 4096, 768, [16, 56, 56]),
    "small": (64, 2, 4, 8, 64, 512, 768, [16, 24, 24]),
}
STAGE2 = ("q", "k", "v", "nq", "nk", "out", "norm1")  # double blocks' image branch; singles: q k v nq nk norm
LORA = {"doubles": ("q", "k", "v", "aq", "ak", "av", "out", "add_out", "ff1", "ff2", "cff1", "cff2"),
        "singles": ("q", "k", "v", "mlp", "out")}


class LoraLinear(nn.Module):
    """y = base(x) + (alpha / r) B A x, base frozen, A ~ N(0, 1/in), B = 0 (as ModelWeights.addLora)."""

    def __init__(self, base, rank):
        super().__init__()
        self.base, self.scale = base, 1.0
        self.a = nn.Parameter(torch.randn(rank, base.in_features, device=base.weight.device) / math.sqrt(base.in_features))
        self.b = nn.Parameter(torch.zeros(base.out_features, rank, device=base.weight.device))

    def forward(self, x):
        return self.base(x) + F.linear(F.linear(x, self.a.to(x.dtype)), self.b.to(x.dtype)) * self.scale


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--device", default="cuda")
    p.add_argument("--config", default="small", choices=list(CONFIGS))
    p.add_argument("--side", type=int, default=512)
    p.add_argument("--text", type=int, default=512)
    p.add_argument("--mode", default="stage2", help="stage2 or loraN")
    p.add_argument("--batch", type=int, default=1)
    p.add_argument("--steps", type=int, default=6)
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--ckpt", type=int, default=1)
    a = p.parse_args()
    dev = torch.device(a.device)
    in_ch, dbl, sgl, heads, hd, ctx, pooled, axes = CONFIGS[a.config]
    torch.manual_seed(1)
    t0 = time.time()
    with torch.device(dev):
        model = lab_torch.Flux(in_ch, in_ch, dbl, sgl, heads, hd, ctx, pooled, axes)
    model.requires_grad_(False)
    trainable = []
    if a.mode == "stage2":
        for group, names in (("doubles", STAGE2), ("singles", ("q", "k", "v", "nq", "nk", "norm"))):
            for blk in getattr(model, group):
                for n in names:
                    for prm in getattr(blk, n).parameters() if isinstance(getattr(blk, n), nn.Module) else [getattr(blk, n)]:
                        trainable.append(prm)
    elif a.mode.startswith("lora"):
        rank = int(a.mode[4:])
        for group, names in LORA.items():
            for blk in getattr(model, group):
                for n in names:
                    setattr(blk, n, LoraLinear(getattr(blk, n), rank))
                    trainable += [getattr(blk, n).a, getattr(blk, n).b]
    else:
        raise SystemExit("--mode stage2 or loraN")
    ids_t = {id(x) for x in trainable}
    for prm in model.parameters():  # frozen weights stored in float16; trainable ones stay float32 masters
        if id(prm) not in ids_t:
            prm.data = prm.data.half()
    for prm in trainable:
        prm.requires_grad_(True)
    opt = torch.optim.AdamW(trainable, lr=1e-5, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0)
    scaler = torch.amp.GradScaler(dev.type) if dev.type == "cuda" else None
    if a.ckpt:
        dblock, sblock = model.double_block, model.single_block
        model.double_block = lambda b, h, c, st, cos, sin: checkpoint(dblock, b, h, c, st, cos, sin, use_reentrant=False)
        model.single_block = lambda b, j, st, cos, sin: checkpoint(sblock, b, j, st, cos, sin, use_reentrant=False)
    g = a.side // 16
    rc = torch.stack(torch.meshgrid(torch.arange(g), torch.arange(g), indexing="ij"), -1).reshape(-1, 2)
    ids = torch.cat([torch.zeros(a.text, 3, dtype=torch.long),
                     torch.cat([torch.zeros(g * g, 1, dtype=torch.long), rc], 1),
                     torch.cat([torch.ones(g * g, 1, dtype=torch.long), rc], 1)], 0).to(dev)
    setup = time.time() - t0
    if dev.type == "cuda":
        torch.cuda.reset_peak_memory_stats(dev)
    ends = []
    for step in range(a.warmup + a.steps):
        x = torch.randn(a.batch, 2 * g * g, in_ch, device=dev)
        target = torch.randn_like(x)
        txt = torch.randn(a.batch, a.text, ctx, device=dev)
        pool = torch.randn(a.batch, pooled, device=dev)
        t = torch.full((a.batch,), 0.5, device=dev)
        with torch.autocast(dev.type, dtype=torch.float16):
            v = model(x, txt, pool, t, ids)
        loss = F.mse_loss(v.float(), target)
        opt.zero_grad(set_to_none=True)
        if scaler:
            scaler.scale(loss).backward()
            scaler.step(opt)
            scaler.update()
        else:
            loss.backward()
            opt.step()
        if dev.type == "cuda":
            torch.cuda.synchronize(dev)
        ends.append(time.time())
    secs = ends[-1] - ends[a.warmup - 1]
    ms = sorted(1e3 * (ends[a.warmup + i] - ends[a.warmup + i - 1]) for i in range(a.steps))
    peak = torch.cuda.max_memory_allocated(dev) / 1e9 if dev.type == "cuda" else float("nan")
    n_train = sum(x.numel() for x in trainable)
    print(f"result impl=python torch={torch.__version__} device={a.device} config={a.config} side={a.side} "
          f"tokens={2 * g * g + a.text} mode={a.mode} precision=fp16 ckpt={bool(a.ckpt)} batch={a.batch} "
          f"trainable={n_train} setup_s={setup:.1f} steps={a.steps} step_ms={1e3 * secs / a.steps:.1f} "
          f"step_ms_median={ms[len(ms) // 2]:.1f} samples_per_s={a.steps * a.batch / secs:.3f} peak_gb={peak:.1f}")


if __name__ == "__main__":
    main()
