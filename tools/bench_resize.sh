#!/usr/bin/env bash
# Bicubic crop-back, Java (gptedit-core's Resampler) against Pillow on the same pixels, one thread each, in turn.
# Usage: tools/bench_resize.sh [ROUNDS] [SECONDS]   (needs python3 with Pillow and numpy; run from the repo root)
set -euo pipefail
ROUNDS=${1:-3}
SECONDS_PER=${2:-8}
PY=${PYTHON:-python3}
mvn -B -q -o -pl gptedit-core -am test-compile
mvn -B -q -o -pl gptedit-core dependency:build-classpath -Dmdep.outputFile=/tmp/core-cp.txt -Dmdep.includeScope=test
CP=gptedit-core/target/test-classes:gptedit-core/target/classes:$(cat /tmp/core-cp.txt)
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT
java -cp "$CP" io.gptedit.core.bench.ResampleBenchmark write "$DIR"
echo "$(nproc) cpus, $(java -version 2>&1 | head -1), load: $(cut -d' ' -f1-3 /proc/loadavg)"
for r in $(seq "$ROUNDS"); do
  taskset -c 0 java -XX:ActiveProcessorCount=1 -cp "$CP" io.gptedit.core.bench.ResampleBenchmark run "$DIR" "$SECONDS_PER"
  OMP_NUM_THREADS=1 taskset -c 0 "$PY" tools/bench_resize.py "$DIR" "$SECONDS_PER"
done
