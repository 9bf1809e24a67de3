"""Times one torch.optim.AdamW step over the parameter shapes that OptimizerStepBenchmark (Java) writes with
--shapes-out, in the same way (rounds of N steps, median ms/step), for the per-tensor loop (foreach=False, PyTorch's
CPU default), the multi-tensor form (foreach=True) and the fused kernel (fused=True). See docs/benchmarks.md.

Usage: python tools/bench_optimizer.py SHAPES_FILE [--rounds 7] [--steps 50] [--threads 1]
"""
import argparse
import statistics
import time

import torch


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("shapes")
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--steps", type=int, default=50)
    ap.add_argument("--threads", type=int, default=1)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    shapes = [tuple(int(x) for x in line.split(",") if x) for line in open(a.shapes) if line.strip()]
    values = sum(int(torch.Size(s).numel()) for s in shapes)
    print(f"bench_optimizer: torch {torch.__version__}, {len(shapes)} tensors, {values} values")
    gen = torch.Generator().manual_seed(1)
    for form, kw in (("foreach=False", {"foreach": False}), ("foreach=True", {"foreach": True}),
                     ("fused=True", {"fused": True})):
        params = [torch.nn.Parameter(torch.randn(s, generator=gen)) for s in shapes]
        for p in params:
            p.grad = torch.randn(p.shape, generator=gen) * 0.01
        opt = torch.optim.AdamW(params, lr=1e-4, betas=(0.9, 0.99), eps=1e-8, weight_decay=0.0, **kw)
        ms = []
        for r in range(-1, a.rounds):
            t0 = time.perf_counter()
            for _ in range(a.steps):
                opt.step()
            t1 = time.perf_counter()
            if r >= 0:
                ms.append(1e3 * (t1 - t0) / a.steps)
        med = statistics.median(ms)
        print(f"{form:14s} median {med:.3f} ms/step (rounds {[round(x, 3) for x in ms]})")
        print(f"result impl=python form={form} tensors={len(shapes)} values={values} step_ms={med:.4f}")


if __name__ == "__main__":
    main()
