#!/usr/bin/env bash
# Interleaved training-step benchmark of the edit lab's editor: Java (gptedit-lab's test program
# `io.gptedit.lab.bench.TrainStepBenchmark`, DJL 0.36, on its pinned PyTorch 2.7.1 by default)
# beside the same architecture in Python PyTorch (tools/bench_train.py, Debian's python3-torch), with 1 and 2
# threads, REPS repetitions, the order of the implementations rotated every repetition; then a summary (medians,
# ranges, Java/Python ratios). See docs/benchmarks.md. Builds gptedit-lab's test classes first; needs tools/lab_torch.py.
#
# Usage: tools/bench_train.sh [LOG]
#   env REPS (default 5), CONFIGS (lab,small), STEPS timed steps (40), WARMUP untimed steps (10), THREADS (1 2), REF_THREADS: thread
#   counts for the reference-BLAS runs (1: that BLAS is single-threaded), TIMEOUT seconds per run (300; a run
#   that takes longer gets SIGTERM, then SIGKILL 15 s later, and is logged as `timeout`; a run that exits non-zero
#   by itself is logged as `failed` with its exit status; both are counted in the summary). A JVM killed while
#   inside native code may crash on the way out: its hs_err file goes to /tmp, never into the repository, and the
#   run still counts as a timeout (rc 124 or 137 from `timeout`), not as a crash.
#   OPENBLAS_LIB: a folder holding OpenBLAS's libblas.so.3, to add Python runs with OpenBLAS (Debian's torch
#   otherwise runs on the reference BLAS, which these runs select explicitly from /usr/lib/x86_64-linux-gnu/blas).
#   PYTHON: a python whose torch comes from pip (MKL inside, e.g. torch 2.13 in a virtual environment), to add
#   Python runs with it (kind python-pip). The Debian-torch kinds run only when /usr/bin/python3 imports torch.
#   The Java side runs on DJL's pinned libtorch unless the environment points DJL at another one
#   (PYTORCH_LIBRARY_PATH, PYTORCH_VERSION, PYTORCH_FLAVOR, ENGINE_CACHE_DIR, as tools/gpu/build_djl_jni.sh prints);
#   each side's result lines name the torch it ran on, and the summary's labels show them.
set -euo pipefail
cd "$(dirname "$0")/.."
log=${1:-bench-train.log}
cp=$(tools/lab_classpath.sh)
reps=${REPS:-5}
steps=${STEPS:-40}
warmup=${WARMUP:-10}
threads=${THREADS:-1 2}
configs=${CONFIGS:-lab,small}
ref_threads=${REF_THREADS:-1}
limit=${TIMEOUT:-300}
reference=/usr/lib/x86_64-linux-gnu/blas
kinds=(java)
if /usr/bin/python3 -c 'import torch' 2>/dev/null; then
  kinds+=(python-reference)
  if [[ -n "${OPENBLAS_LIB:-}" ]]; then
    kinds+=(python-openblas)
  fi
fi
if [[ -n "${PYTHON:-}" ]]; then
  kinds+=(python-pip)
fi

one() { # kind threads
  case "$1" in
    java) # the exit status is timeout's (PIPESTATUS[0]), not grep's: grep exits 1 when a killed run printed nothing
          timeout -k 15 "$limit" java -XX:ErrorFile=/tmp/gptedit-bench-hs_err_pid%p.log -cp "$cp" \
            io.gptedit.lab.bench.TrainStepBenchmark --threads "$2" --configs "$configs" --steps "$steps" --warmup "$warmup" 2>&1 \
            | { grep -v '^\[main\]' || true; }
          return "${PIPESTATUS[0]}" ;;
    python-reference) LD_LIBRARY_PATH=$reference timeout -k 15 "$limit" /usr/bin/python3 tools/bench_train.py \
            --threads "$2" --configs "$configs" --steps "$steps" --warmup "$warmup" ;;
    python-pip) timeout -k 15 "$limit" "$PYTHON" tools/bench_train.py \
            --threads "$2" --configs "$configs" --steps "$steps" --warmup "$warmup" ;;
    python-openblas) LD_LIBRARY_PATH=$OPENBLAS_LIB timeout -k 15 "$limit" /usr/bin/python3 tools/bench_train.py \
            --threads "$2" --configs "$configs" --steps "$steps" --warmup "$warmup" ;;
  esac
}

: > "$log"
for rep in $(seq 1 "$reps"); do
  echo "rep $rep" | tee -a "$log"
  for t in $threads; do
    n=${#kinds[@]}
    for i in $(seq 0 $((n - 1))); do
      kind=${kinds[$(((i + rep) % n))]}
      if [[ $kind == python-reference && " $ref_threads " != *" $t "* ]]; then
        continue
      fi
      echo "run $kind threads=$t load=$(cut -d' ' -f1-3 /proc/loadavg) at $(date -u +%H:%M:%S)" | tee -a "$log"
      rc=0
      one "$kind" "$t" >> "$log" || rc=$?
      if [[ $rc == 124 || $rc == 137 ]]; then
        echo "timeout kind=$kind threads=$t rc=$rc (over ${limit}s)" | tee -a "$log"
      elif [[ $rc != 0 ]]; then
        echo "failed kind=$kind threads=$t rc=$rc" | tee -a "$log"
      fi
    done
  done
done
"${PYTHON:-/usr/bin/python3}" tools/bench_train.py --summarize "$log"
