#!/usr/bin/env bash
# Where a training step's time goes, Java (TrainStepBenchmark, DJL) beside Python (tools/bench_train.py, the same
# model in PyTorch): each runs one config on one thread for long enough that `perf record` can sample its main
# thread for SECONDS in the steady state (after WARM seconds); the samples are then split by component (libtorch,
# the language's own runtime, the kernel, libc's allocator, ...) and turned into milliseconds per step with the
# run's measured step rate. Needs Linux perf (perf_event_paranoid <= 1 or root). See docs/benchmarks.md.
#
# Usage: tools/profile_train.sh [CONFIG] [SECONDS] [WARM]   (lab|small, default small; 5; 9)
#   env PYTHON: a python with torch (default /usr/bin/python3), e.g. a wrapper that sets the MALLOC_* variables;
#       STEPS: steps each run takes (default: enough for WARM + SECONDS + 5 s at a rough rate).
set -euo pipefail
cd "$(dirname "$0")/.."
config=${1:-small}
seconds=${2:-5}
warm=${3:-9}
python=${PYTHON:-/usr/bin/python3}
hz=999 # perf's sampling frequency; the summary turns samples into time with it
case "$config" in
  lab) steps=${STEPS:-250} ;;
  small) steps=${STEPS:-1000} ;;
  *) echo "config is lab or small" >&2; exit 2 ;;
esac
command -v perf >/dev/null || { echo "perf is not installed" >&2; exit 2; }
cp=$(tools/lab_classpath.sh)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

profile() { # name command...
  local name=$1
  shift
  "$@" > "$out/$name.log" 2>&1 &
  local pid=$!
  sleep "$warm"
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "$name finished before the window; raise STEPS" >&2
    exit 1
  fi
  perf record -q -F "$hz" -o "$out/$name.data" -t "$(main_thread "$name" "$pid")" -- sleep "$seconds" 2>/dev/null
  wait "$pid"
  local rate batch
  rate=$(sed -nE 's/^result .*samples_per_s=([0-9.]+).*/\1/p' "$out/$name.log" | tail -1)
  batch=$(sed -nE 's/^result .* batch=([0-9]+) .*/\1/p' "$out/$name.log" | tail -1)
  [[ -n "$rate" && -n "$batch" ]] || { echo "$name printed no result:" >&2; tail -5 "$out/$name.log" >&2; exit 1; }
  perf report -q -i "$out/$name.data" --sort dso --stdio -n -g none 2>/dev/null \
    | awk -v rate="$rate" -v batch="$batch" -v name="$name" \
        'NF >= 3 && $2 ~ /^[0-9]+$/ {n=$2; $1=""; $2=""; sub(/^ +/, ""); sub(/ +$/, "");
         print name "\t" $0 "\t" n "\t" rate "\t" batch}' >> "$out/dso.tsv"
}

# The thread that runs the steps: the JVM's "java" main thread (not the launcher), or Python's only busy thread.
main_thread() { # name pid
  local tid
  if [[ $1 == java ]]; then
    tid=$(ps -L -o tid=,comm= -p "$2" | awk '$2 == "java" {print $1}' | sed -n 2p)
  else
    tid=$2
  fi
  echo "${tid:-$2}"
}

profile java java -cp "$cp" io.gptedit.lab.bench.TrainStepBenchmark --threads 1 --configs "$config" \
  --steps "$steps" --warmup 10 --peak-reps 3
profile python "$python" tools/bench_train.py --threads 1 --configs "$config" --steps "$steps" --warmup 10
python3 - "$out/dso.tsv" "$seconds" "$config" "$hz" <<'PY'
import collections, sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1])]
secs = float(sys.argv[2])
hz = float(sys.argv[4])
def component(dso):
    if "libtorch" in dso or "libc10" in dso or "libgomp" in dso or "libmkl" in dso or "libiomp" in dso:
        return "libtorch (kernels, autograd, dispatch)"
    if "djl_torch" in dso:
        return "DJL's JNI layer"
    if dso.startswith("[JIT]") or "libjvm" in dso:
        return "Java code and JVM (JIT-compiled, interpreter, runtime)"
    if "libpython" in dso or "libtorch_python" in dso or (dso.endswith(".so") and "cpython" in dso):
        return "Python interpreter and bindings"
    if "kernel" in dso:
        return "kernel (page faults, syscalls)"
    if "libc.so" in dso or "ld-linux" in dso or "libstdc++" in dso:
        return "libc, loader, libstdc++ (malloc/free, TLS)"
    return "other"
ms = collections.defaultdict(float)
rate = {}
for name, dso, n, r, batch in rows:
    steps_per_s = float(r) / int(batch)
    rate[name] = float(r)
    # samples / rate = seconds of the thread's time; divided by the window's steps (the run's mean rate)
    ms[(name, component(dso))] += int(n) / hz / (secs * steps_per_s) * 1e3
comps = sorted({c for _, c in ms}, key=lambda c: -max(ms[("java", c)], ms[("python", c)]))
print(f"config {sys.argv[3]}: Java {rate['java']:.1f} samples/s, Python {rate['python']:.1f} samples/s "
      f"(whole runs); main thread, {secs:.0f} s windows, ms per step:")
print("| component | Java | Python |")
print("|---|---|---|")
for c in comps:
    print(f"| {c} | {ms[('java', c)]:.2f} | {ms[('python', c)]:.2f} |")
print(f"| total | {sum(v for (n, _), v in ms.items() if n == 'java'):.2f} | "
      f"{sum(v for (n, _), v in ms.items() if n == 'python'):.2f} |")
PY
