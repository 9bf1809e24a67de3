#!/usr/bin/env bash
# The GPU run of the training-at-scale issue, as one script for a GPU machine without network (run from the
# repository root, with gpu-bundle/ from tools/gpu/prepare.sh carried along):
#   1. probe: GPUs (nvidia-smi), Java, the Python torch (version, CUDA, library folder), cmake and a C++ compiler;
#   2. build DJL's JNI against that torch (tools/gpu/build_djl_jni.sh), so the Java side runs on the same libtorch
#      as the Python side;
#   3. train random-weight Kontext-dev transformers (stage-2 selection and LoRA rank 16, fp16 compute, fp32
#      masters, block checkpointing) at 1024x1024 and then 512x512, batch 1: PyTorch eager (tools/gpu/torch_step.py,
#      the repository's lab_torch.Flux) while the JNI builds, then Java (GpuTrainBenchmark), each with nvidia-smi
#      sampling the peak device memory; rows that cannot start before BUDGET_S seconds (500) are skipped; then the
#      ratios.
# --smoke runs the same pipeline on the CPU with a small config (the way it was tested without a GPU).
#
# Usage: tools/gpu/run.sh [--smoke] [OUT_DIR]
set -uo pipefail
cd "$(dirname "$0")/../.."
smoke=0; [[ "${1:-}" == --smoke ]] && { smoke=1; shift; }
out=${1:-${OUT:-/tmp/gpu-run}}
mkdir -p "$out"
log="$out/run.log"
exec > >(tee -a "$log") 2>&1
bundle=$PWD/gpu-bundle
py=${PYTHON:-python3}
echo "== probe $(date -u +%FT%TZ)"
uname -a; nproc; free -g | head -2
nvidia-smi -L 2>/dev/null || echo "no nvidia-smi"
# The bundle's runtime travels as jre.tar.xz (tools/gpu/prepare.sh --jre): unpacked with tar and xz, or with Python's
# tarfile where the machine has no xz.
if [[ -f "$bundle/jre.tar.xz" && ! -x "$bundle/jre/bin/java" ]]; then
  if command -v xz >/dev/null; then tar -C "$bundle" -xJf "$bundle/jre.tar.xz"
  else "$py" -c 'import sys, tarfile; tarfile.open(sys.argv[1]).extractall(sys.argv[2])' "$bundle/jre.tar.xz" "$bundle"; fi
fi
java_bin=$(command -v java || true); [[ -x "$bundle/jre/bin/java" ]] && java_bin=$bundle/jre/bin/java
echo "java: ${java_bin:-none}"
[[ -n "$java_bin" ]] && "$java_bin" -version 2>&1 | head -1 || echo "no java"
"$py" -c 'import torch,sys;print("torch",torch.__version__,"cuda",torch.version.cuda,"gpus",torch.cuda.device_count(),"lib",torch.__file__)' \
  || { echo "no python torch: stop"; exit 2; }
cmake --version 2>/dev/null | head -1 || echo "no cmake"; g++ --version 2>/dev/null | head -1 || echo "no g++"
[[ -n "$java_bin" ]] || { echo "no java and no gpu-bundle/jre: rerun tools/gpu/prepare.sh with --jre"; exit 2; }

# The JNI build runs in the background (niced, leaving cores free) while PyTorch measures its rows on the GPU.
echo "== DJL JNI against this torch (background)"
( nice -n 19 bash tools/gpu/build_djl_jni.sh "$bundle/djl-src" "$py" "$out/djl-cache" > "$out/jni.out" 2>&1
  echo "rc=$?" >> "$out/jni.out" ) &
jni_pid=$!
cp="$bundle/lib/*"
# DJL counts GPUs through the CUDA runtime (JNA "cudart"): point it at the one the torch install brings (pip's
# nvidia-cuda-runtime wheel), or the system's.
cudart=$("$py" - <<'PY' 2>/dev/null
import glob, os, site, sys
roots = site.getsitepackages() + [site.getusersitepackages()] + ["/usr/local/cuda/lib64", "/usr/lib/x86_64-linux-gnu"]
for r in roots:
    for f in sorted(glob.glob(os.path.join(r, "nvidia", "cuda_runtime", "lib", "libcudart.so*")) + glob.glob(os.path.join(r, "libcudart.so*"))):
        print(os.path.dirname(f)); sys.exit(0)
PY
)
echo "cudart folder: ${cudart:-none found}"
[[ -n "$cudart" ]] && export LD_LIBRARY_PATH="$cudart${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"

if (( smoke )); then
  device=cpu; pydev=cpu; config=small; rows=("128 stage2" "128 lora16"); text=32; steps=2; warmup=1
else
  device=gpu:0; pydev=cuda; config=kontext-dev; rows=("1024 stage2" "1024 lora16" "512 stage2" "512 lora16"); text=512
  [[ -n "${ROWS:-}" ]] && IFS=, read -r -a rows <<< "$ROWS"   # e.g. ROWS="1024 stage2,512 stage2"
  [[ "${ROWS:-}" == none ]] && rows=()                         # only the editing check
  steps=${STEPS:-4}; warmup=${WARMUP:-2}
fi
deadline=$(( $(date +%s) + ${BUDGET_S:-500} ))   # rows that cannot start before it are skipped
peak_watch() { # writes the highest memory.used (MiB) nvidia-smi sees while $1 runs
  local f=$1; echo 0 > "$f"
  command -v nvidia-smi >/dev/null || return 0
  while sleep 0.5; do
    nvidia-smi --query-gpu=memory.used --format=csv,noheader,nounits -i 0 2>/dev/null \
      | awk -v f="$f" '{getline m < f; close(f); if ($1 > m) {print $1 > f; close(f)}}'
  done
}
one() { # impl side mode
  local impl=$1 side=$2 mode=$3 left=$(( deadline - $(date +%s) ))
  (( left > ${RUN_CAP_S:-240} )) && left=${RUN_CAP_S:-240}   # one hung run must not take the others' time
  if (( left < 30 )); then echo "skipped impl=$impl side=$side mode=$mode (time budget)"; return; fi
  peak_watch "$out/peak" & local w=$!
  if [[ $impl == java ]]; then
    timeout "$left" "$java_bin" -Xmx8g -Dai.djl.offline=true ${cudart:+-Djna.library.path=$cudart} -cp "$cp" \
      io.gptedit.models.bench.GpuTrainBenchmark --device "$device" --config "$config" --side "$side" --text "$text" \
      --mode "$mode" --steps "$steps" --warmup "$warmup" --ckpt true --precision fp16 2>&1 | grep -v '^\[main\] INFO' | grep -v '^\s*at ' | tail -6
  else
    timeout "$left" "$py" tools/gpu/torch_step.py --device "$pydev" --config "$config" --side "$side" --text "$text" \
      --mode "$mode" --steps "$steps" --warmup "$warmup" --ckpt 1 2>&1 | tail -4
  fi
  local rc=${PIPESTATUS[0]}
  kill $w 2>/dev/null; wait $w 2>/dev/null
  echo "peak impl=$impl side=$side mode=$mode rc=$rc nvidia_smi_peak_mib=$(cat "$out/peak")"
}
# PyTorch's rows first (the JNI build runs meanwhile), then Java's, largest resolution first
half=$(( ${#rows[@]} / 2 ))
for row in "${rows[@]:0:$half}"; do one python $row; done
wait $jni_pid; cat "$out/jni.out"
env_line=$(grep '^PYTORCH_LIBRARY_PATH=' "$out/jni.out" | tail -1)
if [[ -n "$env_line" ]]; then
  export $env_line
  for row in "${rows[@]:0:$half}"; do one java $row; done
  for row in "${rows[@]:$half}"; do one python $row; one java $row; done
  # the editing path (each paradigm's tiny editor: text encoder, codec, transformer, sampler) on the device vs the CPU
  echo "== editing on $device vs the CPU"
  TORCH_CPP_LOG_LEVEL=ERROR timeout 120 "$java_bin" -Dai.djl.offline=true ${cudart:+-Djna.library.path=$cudart} -cp "$cp" \
    io.gptedit.models.bench.GpuEditCheck "$device" 2>&1 | grep -E '^(result|GpuEditCheck|Exception|Caused)' | head -8
else
  echo "JNI build failed: Java rows skipped"
  for row in "${rows[@]:$half}"; do one python $row; done
fi
echo "== summary"
"$py" - "$log" <<'PY'
import sys, re
rows = {}
edits = []
for line in open(sys.argv[1]):
    if line.startswith("result "):
        r = dict(kv.split("=", 1) for kv in line.split()[1:] if "=" in kv)
        if r.get("check") == "edit":  # GpuEditCheck's lines: a table of their own below
            edits.append(r)
            continue
        if "side" not in r or "impl" not in r:
            continue
        rows.setdefault((r["side"], r["mode"]), {})[r["impl"]] = r
    if line.startswith("peak "):
        r = dict(kv.split("=", 1) for kv in line.split()[1:])
        rows.setdefault((r["side"], r["mode"]), {}).setdefault("peak", {})[r["impl"]] = r["nvidia_smi_peak_mib"]
print("| side | mode | Java ms/step | PyTorch ms/step | Java / PyTorch time | Java peak MiB (nvidia-smi) | PyTorch peak MiB | planner GB |")
print("|---|---|---|---|---|---|---|---|")
for (side, mode), r in rows.items():
    j, p = r.get("java"), r.get("python")
    ratio = f"{float(j['step_ms']) / float(p['step_ms']):.2f}" if j and p else "-"
    pk = r.get("peak", {})
    print(f"| {side} | {mode} | {j['step_ms'] if j else 'failed'} | {p['step_ms'] if p else 'failed'} | {ratio} | "
          f"{pk.get('java', '-')} | {pk.get('python', '-')} | {j.get('planned_gb', '-') if j else '-'} |")
if edits:
    print()
    print("| editing: paradigm | device | largest pixel difference vs the CPU | mean difference | CPU ms/edit | device ms/edit |")
    print("|---|---|---|---|---|---|")
    for e in edits:
        print(f"| {e.get('paradigm', '?')} | {e.get('device', '?')} | {e.get('max_diff', '?')} | {e.get('mean_diff', '?')} | "
              f"{e.get('cpu_ms', '?')} | {e.get('device_ms', '?')} |")
PY
