#!/usr/bin/env bash
# Compiles gptedit-lab's test programs (TrainStepBenchmark) and prints their class path, relative to the repository
# root: one offline reactor run, so sibling modules resolve to their target/classes folders. Maven's own output goes
# to stderr, so `cp=$(tools/lab_classpath.sh)` holds the class path alone. Used by bench_train.sh and
# profile_train.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -o -pl gptedit-lab -am test-compile dependency:build-classpath \
  -Dmdep.outputFile="$PWD/target/bench-train-cp.txt" -Dmdep.includeScope=test >&2
echo "gptedit-lab/target/test-classes:gptedit-lab/target/classes:$(cat target/bench-train-cp.txt)"
