#!/usr/bin/env python3
"""Training-step throughput of the edit lab's editor in Python PyTorch: the Python side of `gptedit bench-train`.

The model is the plain-PyTorch replica of the lab's Flux editor in tools/lab_torch.py (imported, not copied). A step
does what the Java lab's Trainer step does (examples/.../lab/LabModel.java + io.gptedit.models.train.Trainer):
draw a batch of 16 from a pool of cached samples, pack 2x2, noise with a logit-normal sigma, run the transformer on
[noisy ; condition] tokens, read the output as a residual over the condition, edit-weighted MSE (weight 1 + 1 inside
the edit mask), backward, clip the global gradient norm to 1, AdamW (0.9, 0.99, eps 1e-8, no decay) with the lab's
warm-up + cosine learning rate, zero the gradients. The pool holds random tensors of the lab's shapes: the values
do not change the cost.

Prints the matmul peak measured on the same torch and threads, and one `result ...` line per config in the same
key=value format as the Java benchmark. Usage (Debian's python3-torch, from the repository root):

    /usr/bin/python3 tools/bench_train.py --threads 1

The thread count is set for torch, OpenMP and OpenBLAS before torch is imported. Which BLAS torch loaded is printed
(Debian's torch links libblas.so.3: the reference BLAS unless an optimized one is selected, see docs/benchmarks.md).
"""
import argparse
import os
import statistics
import sys
import time

TEXT_TOKENS, TEXT_DIM, HEAD_DIM, AXES = 16, 32, 16, [4, 6, 6]
CONFIGS = {
    # name: (image side, double blocks, single blocks, heads, batch) - `gptedit lab`'s defaults and a small one.
    "lab": (16, 2, 2, 4, 16),
    "small": (8, 1, 1, 4, 16),
}
LR, WARMUP, EDIT_WEIGHT, SEED = 1e-3, 50, 1.0, 7


def training_flops(hidden, double, single, text, image, batch, in_ch=12, out_ch=12, ctx=TEXT_DIM, pooled=TEXT_DIM,
                   mlp_ratio=4, t_dim=256):
    """The same analytic count as io.gptedit.examples.lab.TrainingFlops (no guidance embedding): matmuls only,
    2 FLOPs per multiply-add, a training step = 3 forward passes x batch. Returns (step FLOPs, attention share)."""
    d, m, s = hidden, hidden * mlp_ratio, text + image
    macs = image * in_ch * d + text * ctx * d + t_dim * d + d * d + pooled * d + d * d
    macs += double * (2 * d * 6 * d + s * 3 * d * d + s * d * d + s * 2 * d * m)
    macs += single * (d * 3 * d + s * 3 * d * d + s * d * m + s * (d + m) * d)
    macs += d * 2 * d + image * d * out_ch
    attn = (double + single) * 2 * s * s * d
    return 3 * batch * 2 * (macs + attn), attn / (macs + attn)


def loaded_blas():
    """The BLAS shared object this process mapped (torch loads it at import)."""
    with open("/proc/self/maps") as f:
        libs = {line.split()[-1] for line in f if "blas" in line.rsplit("/", 1)[-1]}
    return ",".join(sorted(libs)) or "none mapped"


def blas_kind(libs):
    """A short name for the loaded BLAS: openblas, reference (netlib) or the file name."""
    if "openblas" in libs:
        return "openblas"
    if "/blas/libblas" in libs:
        return "reference"
    return os.path.basename(libs.split(",")[0]) or "unknown"


def matmul_gflops(torch, m, k, n, reps):
    a, b = torch.randn(m, k), torch.randn(k, n)
    best = float("inf")
    for i in range(reps + 3):
        t0 = time.perf_counter()
        a @ b
        t = time.perf_counter() - t0
        if i >= 3:
            best = min(best, t)
    return 2.0 * m * k * n / best / 1e9


def run(torch, lab_torch, name, threads, warmup, steps, peak, blas):
    import math

    side, double, single, heads, batch = CONFIGS[name]
    torch.manual_seed(SEED)
    g = torch.Generator().manual_seed(SEED)
    model = lab_torch.Flux(12, 12, double, single, heads, HEAD_DIM, TEXT_DIM, TEXT_DIM, AXES)
    if not hasattr(torch.nn.functional, "scaled_dot_product_attention"):
        # torch < 2.0 (Debian's 1.13): the textbook attention, as the Java side computes it (Layers.attention).
        def attention(q, k, v):
            return torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1]), -1) @ v

        model.attention = attention
    with torch.no_grad():  # the lab's zero head: the editor starts as "copy the input"
        model.proj_out.weight.zero_()
        model.proj_out.bias.zero_()
    params = list(model.parameters())
    opt = torch.optim.AdamW(params, lr=LR, betas=(0.9, 0.99), eps=1e-8, weight_decay=0.0)
    total = warmup + steps
    warm = min(WARMUP, total // 10)

    def lr_at(step):  # LrSchedule.Cosine(peak, 5% floor, warm, total)
        if step < warm:
            return LR * (step + 1) / warm
        progress = min(1.0, (step - warm) / max(1, total - 1 - warm))
        return 0.05 * LR + 0.5 * (LR - 0.05 * LR) * (1 + math.cos(math.pi * progress))

    pool = 256
    inputs = torch.rand(pool, 3, side, side, generator=g) * 2 - 1
    targets = torch.rand(pool, 3, side, side, generator=g) * 2 - 1
    masks = (torch.rand(pool, 3, side, side, generator=g) < 0.2).float()
    text = torch.randn(pool, TEXT_TOKENS, TEXT_DIM, generator=g)
    pooled = torch.randn(pool, TEXT_DIM, generator=g)
    grid = side // 2
    rows, cols = torch.meshgrid(torch.arange(grid), torch.arange(grid), indexing="ij")
    image_ids = torch.stack([torch.zeros(grid * grid, dtype=torch.long), rows.flatten(), cols.flatten()], 1)
    # text ids are zero; condition tokens share the noisy tokens' ids (the lab's SHARED condition ids)
    ids = torch.cat([torch.zeros(TEXT_TOKENS, 3, dtype=torch.long), image_ids, image_ids], 0)
    tokens = grid * grid

    ends = []
    for step in range(total):
        for group in opt.param_groups:
            group["lr"] = lr_at(step)
        idx = torch.randint(pool, (batch,), generator=g)
        x0 = lab_torch.pack(targets[idx], 2)
        cond = lab_torch.pack(inputs[idx], 2)
        weight = lab_torch.pack(masks[idx], 2) * EDIT_WEIGHT + 1
        noise = torch.randn(x0.shape, generator=g)
        sigma = torch.sigmoid(torch.randn(batch, generator=g))
        xt = (1 - sigma[:, None, None]) * x0 + sigma[:, None, None] * noise
        out = model(torch.cat([xt, cond], 1), text[idx], pooled[idx], sigma, ids)[:, :tokens]
        loss = ((cond + out - x0).square() * weight).mean()
        loss.backward()
        loss_value = loss.item()
        norm = float(torch.nn.utils.clip_grad_norm_(params, 1.0))
        if math.isfinite(norm) and math.isfinite(loss_value):
            opt.step()
        opt.zero_grad(set_to_none=False)
        ends.append(time.perf_counter())

    seconds = ends[-1] - ends[warmup - 1]
    step_ms = [1e3 * (ends[warmup + i] - ends[warmup + i - 1]) for i in range(steps)]
    flops, attn_share = training_flops(heads * HEAD_DIM, double, single, TEXT_TOKENS, 2 * tokens, batch)
    sps = steps * batch / seconds
    gflops = flops * steps / seconds / 1e9
    n_params = sum(p.numel() for p in params)
    print(f"{name}: {double}+{single} blocks, hidden {heads * HEAD_DIM}, tokens {TEXT_TOKENS}+{tokens}+{tokens}, "
          f"batch {batch}, {n_params:,} parameters, {flops / 1e9:.3f} GFLOP/step (attention {100 * attn_share:.1f}%); "
          f"{steps} timed steps after {warmup}: {1e3 * seconds / steps:.1f} ms/step (median "
          f"{statistics.median(step_ms):.1f}), {sps:.1f} samples/s, {gflops:.1f} GFLOP/s, "
          f"{100 * gflops / peak:.1f}% of peak (last loss {loss_value:.4f})")
    print(f"result impl=python blas={blas} config={name} threads={threads} batch={batch} steps={steps} samples_per_s={sps:.2f} "
          f"step_ms={1e3 * seconds / steps:.3f} step_ms_median={statistics.median(step_ms):.3f} "
          f"gflop_per_step={flops / 1e9:.5f} gflops={gflops:.3f} peak_gflops={peak:.2f} peak_frac={gflops / peak:.4f}")
    sys.stdout.flush()


def parse_results(lines):
    """The `result k=v ...` lines of a log as dicts, each with the index of the repetition it belongs to (the number of
    `rep N` lines before it)."""
    out, rep = [], 0
    for line in lines:
        if line.startswith("rep "):
            rep = int(line.split()[1])
        if line.startswith("result "):
            r = dict(kv.split("=", 1) for kv in line.split()[1:])
            r["rep"] = rep
            out.append(r)
    return out


def summarize(lines):
    """Medians, ranges and Java/Python ratios of a log's result lines, as Markdown tables."""
    results = parse_results(lines)
    if not results:
        raise SystemExit("no result lines")
    groups = {}
    for r in results:
        groups.setdefault((r["config"], int(r["threads"]), r["impl"], r.get("blas", "mkl")), []).append(r)
    for (config, _, _, _), rs in groups.items():
        counts = {r["gflop_per_step"] for rs2 in groups.values() for r in rs2 if r["config"] == config}
        if len(counts) != 1:
            raise SystemExit(f"config {config}: the implementations count different FLOPs per step: {counts}")

    def med(rs, key):
        return statistics.median(float(r[key]) for r in rs)

    def rng(rs, key):
        v = [float(r[key]) for r in rs]
        return f"{min(v):.0f}-{max(v):.0f}"

    out = ["| config | threads | implementation (BLAS) | runs | samples/s median (min-max) | ms/step median | "
           "GFLOP/s median | its matmul peak, GFLOP/s (median) | % of its peak |",
           "|---|---|---|---|---|---|---|---|---|"]
    for key in sorted(groups, key=lambda k: (k[0] != "lab", k[0], k[1], k[2], k[3])):
        config, threads, impl, blas = key
        rs = groups[key]
        label = ("Java, DJL 0.36 / PyTorch 2.7.1" if impl == "java" else "Python, torch " + "1.13") + f" ({blas})"
        out.append(f"| {config} | {threads} | {label} | {len(rs)} | {med(rs, 'samples_per_s'):.0f} "
                   f"({rng(rs, 'samples_per_s')}) | {med(rs, 'step_ms'):.1f} | {med(rs, 'gflops'):.1f} | "
                   f"{med(rs, 'peak_gflops'):.0f} | {100 * med(rs, 'peak_frac'):.0f}% |")
    out += ["", "| config | threads | Java / Python (BLAS) samples/s, ratio of medians | paired by repetition: median "
                "(min-max) |", "|---|---|---|---|"]
    for key in sorted(groups, key=lambda k: (k[0] != "lab", k[0], k[1], k[3])):
        config, threads, impl, blas = key
        java = groups.get((config, threads, "java", "mkl"))
        if impl != "python" or not java:
            continue
        py = groups[key]
        by_rep = {r["rep"]: float(r["samples_per_s"]) for r in py}
        paired = [float(j["samples_per_s"]) / by_rep[j["rep"]] for j in java if j["rep"] in by_rep]
        ratio = med(java, "samples_per_s") / med(py, "samples_per_s")
        pair = f"{statistics.median(paired):.2f} ({min(paired):.2f}-{max(paired):.2f})" if paired else "-"
        out.append(f"| {config} | {threads} | {ratio:.2f} ({blas}) | {pair} |")
    failed = [line for line in lines if line.startswith("failed ")]
    if failed:
        out += ["", f"{len(failed)} run(s) failed or ran out of time (rc 124); their later configs have no result line:"]
        out += ["- " + line for line in failed]
    return "\n".join(out)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--threads", type=int, default=1, help="torch intra-op (and OpenMP/OpenBLAS) threads")
    p.add_argument("--warmup", type=int, default=10, help="untimed steps first")
    p.add_argument("--steps", type=int, default=40, help="timed steps")
    p.add_argument("--configs", default="lab,small", help="comma-separated: lab, small")
    p.add_argument("--peak-reps", type=int, default=20, help="timed products per matmul shape")
    p.add_argument("--summarize", metavar="LOG", help="only summarize the result lines of a log (see bench_train.sh)")
    a = p.parse_args()
    if a.summarize:
        with open(a.summarize) as f:
            print(summarize(f.read().splitlines()))
        return
    configs = a.configs.split(",")
    unknown = [c for c in configs if c not in CONFIGS]
    if unknown or min(a.threads, a.warmup, a.steps, a.peak_reps) < 1:
        p.error(f"unknown configs {unknown} (know {list(CONFIGS)}) or a count < 1")
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(a.threads)  # read when the libraries load, so before importing torch
    import torch

    torch.set_num_threads(a.threads)
    torch.set_num_interop_threads(1)
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import lab_torch

    print(f"bench_train.py: python {sys.version.split()[0]}, torch {torch.__version__}, {os.cpu_count()} cpus, "
          f"intra-op threads {torch.get_num_threads()}, BLAS {loaded_blas()}")
    shapes = [(n, n, n) for n in (256, 512, 1024)]
    for c in configs:
        side, _, _, heads, batch = CONFIGS[c]
        rows, d = batch * (TEXT_TOKENS + 2 * (side // 2) ** 2), heads * HEAD_DIM
        shapes += [s for s in ((rows, d, 4 * d), (rows, 4 * d, d), (rows, d, d)) if s not in shapes]
    peak = 0.0
    for m, k, n in shapes:
        gf = matmul_gflops(torch, m, k, n, a.peak_reps)
        print(f"matmul fp32 {m}x{k} @ {k}x{n}: {gf:.1f} GFLOP/s")
        peak = max(peak, gf)
    print(f"measured peak (best of the shapes above): {peak:.1f} GFLOP/s")
    for c in configs:
        run(torch, lab_torch, c, a.threads, a.warmup, a.steps, peak, blas_kind(loaded_blas()))


if __name__ == "__main__":
    main()
