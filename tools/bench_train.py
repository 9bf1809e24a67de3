#!/usr/bin/env python3
"""Training-step throughput of the edit lab's editor in Python PyTorch: the Python side of `gptedit bench-train`.

The editor, its loss and its learning-rate schedule are the plain-PyTorch replica's in tools/lab_torch.py (imported,
not copied), and a step is lab_torch.train's step, which does what the Java lab's Trainer step does
(examples/.../lab/LabModel.java + io.gptedit.models.train.Trainer): draw a batch of 16 from a pool of cached samples,
pack 2x2, noise with a logit-normal sigma, run the transformer on [noisy ; condition] tokens, read the output as a
residual over the condition, edit-weighted MSE (weight 1 + 1 inside the edit mask), backward, clip the global
gradient norm to 1, AdamW (0.9, 0.99, eps 1e-8, no decay) at the lab's warm-up + cosine learning rate. The pool
holds random tensors of the lab's shapes: the values do not change the cost. (lab_torch.py's own `bench` mode times
the same step on one fixed batch; this script adds the FLOP count, the matmul peak, the thread and BLAS control
and the result lines the Java side prints.)

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
        # numpy's wheel maps its own OpenBLAS (numpy.libs); torch does not call it, so it does not count
        libs = {line.split()[-1] for line in f if "blas" in line.rsplit("/", 1)[-1] and "numpy.libs" not in line}
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
    import argparse as ap
    import math

    side, double, single, heads, batch = CONFIGS[name]
    total = warmup + steps
    # The lab's defaults, as lab_torch's command line spells them (`gptedit lab` = lab_torch.py train's defaults).
    a = ap.Namespace(patch=2, head_dim=HEAD_DIM, double=double, single=single, heads=heads, zero_head=1, ids="shared",
                     prediction="residual", edit_weight=EDIT_WEIGHT, balance=0.0, t_dist="logit-normal", t_mean=0.0, t_std=1.0,
                     lr=LR, warmup=min(WARMUP, total // 10), schedule="cosine", steps=total, seed=SEED)
    torch.manual_seed(SEED)
    gen = torch.Generator().manual_seed(SEED)
    model = lab_torch.Editor(a, side)
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=LR, betas=(0.9, 0.99), eps=1e-8, weight_decay=0.0)
    pool = 256
    cond = torch.rand(pool, 3, side, side, generator=gen) * 2 - 1
    x0 = torch.rand(pool, 3, side, side, generator=gen) * 2 - 1
    mask = (torch.rand(pool, 3, side, side, generator=gen) < 0.2).float()
    text = torch.randn(pool, TEXT_TOKENS, TEXT_DIM, generator=gen)
    pooled = torch.randn(pool, TEXT_DIM, generator=gen)
    tokens = (side // 2) ** 2

    ends = []
    for step in range(total):  # lab_torch.train's step, plus reading the loss and the norm as the Java Trainer does
        for group in opt.param_groups:
            group["lr"] = lab_torch.lr_at(a, step)
        idx = torch.randint(0, pool, (batch,), generator=gen)
        loss = lab_torch.loss_fn(model, a, x0[idx], cond[idx], text[idx], pooled[idx], mask[idx], gen)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        loss_value = loss.item()
        norm = float(torch.nn.utils.clip_grad_norm_(params, 1.0))
        if math.isfinite(norm) and math.isfinite(loss_value):
            opt.step()
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
    print(f"result impl=python torch={torch.__version__.split('+')[0]} blas={blas} config={name} threads={threads} batch={batch} steps={steps} samples_per_s={sps:.2f} "
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
        if impl == "java":  # result lines before the Java side printed its libtorch version ran on DJL's pinned 2.7.1
            label = "Java, DJL 0.36 / PyTorch " + rs[0].get("torch", "2.7.1")
        else:  # and before the Python side printed its torch, on Debian's 1.13
            label = "Python, torch " + rs[0].get("torch", "1.13")
        label += f" ({blas})"
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
    timed_out = [line for line in lines if line.startswith("timeout ")]
    if timed_out:
        out += ["", f"{len(timed_out)} run(s) ran out of time (killed by `timeout`, not a crash); their later configs "
                    "have no result line:"]
        out += ["- " + line for line in timed_out]
    failed = [line for line in lines if line.startswith("failed ")]
    if failed:
        out += ["", f"{len(failed)} run(s) failed (exited non-zero by themselves); their later configs have no result "
                    "line:"]
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
        libs = loaded_blas()
        # pip's torch carries MKL inside libtorch_cpu (no separate BLAS file is mapped)
        kind = "mkl" if libs == "none mapped" and torch.backends.mkl.is_available() else blas_kind(libs)
        run(torch, lab_torch, c, a.threads, a.warmup, a.steps, peak, kind)


if __name__ == "__main__":
    main()
