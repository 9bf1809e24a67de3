#!/usr/bin/env bash
# Builds DJL 0.36.0's PyTorch JNI library (libdjl_torch.so) against the libtorch inside a Python torch install, and
# puts it where DJL looks for it, so that DJL runs on that libtorch (CPU or CUDA) instead of the 2.7.1 one in the
# pinned jars. Needs cmake, a C++17 compiler and a JDK (javac, jni.h); no network.
#
# Usage: tools/gpu/build_djl_jni.sh DJL_SRC PYTHON CACHE_DIR
#   DJL_SRC    a folder with DJL v0.36.0's engines/pytorch/pytorch-native, engines/pytorch/pytorch-engine/src/main/java/
#              ai/djl/pytorch/jni and api/src/main/native (tools/gpu/prepare.sh copies them from a DJL checkout)
#   PYTHON     a python whose `import torch` is the libtorch to run on
#   CACHE_DIR  DJL's engine cache folder (set ENGINE_CACHE_DIR to it when running Java)
# Prints the environment the JVM needs: PYTORCH_LIBRARY_PATH, PYTORCH_VERSION, PYTORCH_FLAVOR, ENGINE_CACHE_DIR.
set -euo pipefail
src=$(cd "$1" && pwd); py=$2; cache=$3
read -r tver tcuda tdir < <("$py" -c 'import torch,os;print(torch.__version__.split("+")[0], torch.version.cuda or "none", os.path.dirname(torch.__file__))')
if [[ "$tcuda" == none ]]; then flavor=cpu; else flavor="cu$(echo "$tcuda" | tr -d .)"; fi
javac_bin=$(command -v javac || true)
[[ -n "$javac_bin" ]] || { echo "build_djl_jni: no javac (a JDK is needed to generate the JNI header)" >&2; exit 2; }
jhome=$(dirname "$(dirname "$(readlink -f "$javac_bin")")")
api_jar=${DJL_API_JAR:?set DJL_API_JAR to ai.djl:api:0.36.0}
engine_jar=${DJL_ENGINE_JAR:?set DJL_ENGINE_JAR to ai.djl.pytorch:pytorch-engine:0.36.0}
work=$(mktemp -d)
cp -r "$src/." "$work/"
native="$work/engines/pytorch/pytorch-native"
rm -rf "$native/build"
mkdir -p "$native/build/classes"
cd "$native/build"
javac -cp "$api_jar:$engine_jar" -sourcepath ../../pytorch-engine/src/main/java/ \
  ../../pytorch-engine/src/main/java/ai/djl/pytorch/jni/PyTorchLibrary.java -h include -d classes
use_cuda=""; [[ "$flavor" == cu* ]] && use_cuda=1
JAVA_HOME=$jhome cmake -G "$(command -v ninja >/dev/null && echo Ninja || echo 'Unix Makefiles')" -DJAVA_HOME="$jhome" \
  -DCMAKE_PREFIX_PATH="$tdir" -DCMAKE_BUILD_TYPE=Release -DUSE_CUDA="$use_cuda" .. > cmake.log 2>&1 \
  || { tail -40 cmake.log >&2; exit 1; }
cmake --build . --config Release -- -j "$(nproc)" > build.log 2>&1 || { grep -m5 -B2 -A8 error build.log >&2; exit 1; }
dest="$cache/pytorch/$tver-$flavor-linux-x86_64"
mkdir -p "$dest"
cp libdjl_torch.so "$dest/0.36.0-libdjl_torch.so"
rm -rf "$work"
echo "PYTORCH_LIBRARY_PATH=$tdir/lib PYTORCH_VERSION=$tver PYTORCH_FLAVOR=$flavor ENGINE_CACHE_DIR=$cache"
