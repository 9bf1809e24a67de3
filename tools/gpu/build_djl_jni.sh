#!/usr/bin/env bash
# Builds DJL 0.36.0's PyTorch JNI library (libdjl_torch.so) against the libtorch inside a Python torch install, and
# puts it where DJL looks for it, so that DJL runs on that libtorch (CPU or CUDA) instead of the 2.7.1 one in the
# pinned jars. Needs only a C++17 compiler (g++): no cmake, no JDK and no CUDA toolkit on the machine, because
# tools/gpu/prepare.sh ships the generated JNI header (jni-header/) and the JDK's jni.h (jni-include/) with the
# sources; without them, javac and the local JDK's headers are used. No network.
#
# CUDA: the library is compiled without DJL's USE_CUDA switch (which only adds the CUDA caching allocator's
# emptyCache and a separate inference stream, and would need the CUDA toolkit's headers); CUDA tensors work through
# libtorch_cuda, which is linked explicitly when the torch install has it.
#
# Usage: tools/gpu/build_djl_jni.sh DJL_SRC PYTHON CACHE_DIR
#   DJL_SRC    a folder with DJL v0.36.0's engines/pytorch/pytorch-native/src/main/native and api/src/main/native
#              (and jni-header/, jni-include/ from tools/gpu/prepare.sh)
#   PYTHON     a python whose `import torch` is the libtorch to run on
#   CACHE_DIR  DJL's engine cache folder (set ENGINE_CACHE_DIR to it when running Java)
# Prints the environment the JVM needs as its last line: PYTORCH_LIBRARY_PATH, PYTORCH_VERSION, PYTORCH_FLAVOR,
# ENGINE_CACHE_DIR.
set -euo pipefail
src=$(cd "$1" && pwd); py=$2; cache=$(mkdir -p "$3" && cd "$3" && pwd)
read -r tver tcuda tdir abi < <("$py" -c 'import torch,os;print(torch.__version__.split("+")[0], torch.version.cuda or "none", os.path.dirname(torch.__file__), int(torch._C._GLIBCXX_USE_CXX11_ABI))')
if [[ "$tcuda" == none ]]; then flavor=cpu; else flavor="cu$(echo "$tcuda" | tr -d .)"; fi
cxx=${CXX:-$(command -v g++ || command -v c++ || true)}
[[ -n "$cxx" ]] || { echo "build_djl_jni: no C++ compiler (g++ or c++)" >&2; exit 2; }
native="$src/engines/pytorch/pytorch-native/src/main/native"
work=$(mktemp -d)
# the JNI header of PyTorchLibrary: shipped, or generated with javac
if [[ -f "$src/jni-header/ai_djl_pytorch_jni_PyTorchLibrary.h" ]]; then
  cp "$src/jni-header/ai_djl_pytorch_jni_PyTorchLibrary.h" "$work/"
else
  command -v javac >/dev/null || { echo "build_djl_jni: no shipped JNI header and no javac" >&2; exit 2; }
  javac -cp "${DJL_API_JAR:?}:${DJL_ENGINE_JAR:?}" -sourcepath "$src/engines/pytorch/pytorch-engine/src/main/java" \
    "$src/engines/pytorch/pytorch-engine/src/main/java/ai/djl/pytorch/jni/PyTorchLibrary.java" -h "$work" -d "$work/classes"
fi
if [[ -f "$src/jni-include/jni.h" ]]; then
  jinc="$src/jni-include"
else
  jhome=$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")"); jinc="$jhome/include"
fi
flags=(-O2 -std=c++17 -fPIC -D_GLIBCXX_USE_CXX11_ABI="$abi" -I"$work" -I"$jinc" -I"$jinc/linux"
  -I"$src/api/src/main/native" -I"$tdir/include" -I"$tdir/include/torch/csrc/api/include" -w)
jobs=${JOBS:-$(nproc)}
ls "$native"/*.cc | xargs -P "$jobs" -I{} sh -c "'$cxx' ${flags[*]} -c '{}' -o '$work'/\$(basename '{}' .cc).o" \
  > "$work/build.log" 2>&1 || { grep -m5 -B2 -A8 error "$work/build.log" >&2; exit 1; }
libs=(-ltorch -ltorch_cpu -lc10)
[[ -f "$tdir/lib/libtorch_cuda.so" ]] && libs+=(-ltorch_cuda)
[[ -f "$tdir/lib/libc10_cuda.so" ]] && libs+=(-lc10_cuda)
"$cxx" -shared -o "$work/libdjl_torch.so" "$work"/*.o -L"$tdir/lib" -Wl,--no-as-needed "${libs[@]}" \
  -Wl,-rpath,"$tdir/lib" >> "$work/build.log" 2>&1 || { tail -20 "$work/build.log" >&2; exit 1; }
dest="$cache/pytorch/$tver-$flavor-linux-x86_64"
mkdir -p "$dest"
cp "$work/libdjl_torch.so" "$dest/0.36.0-libdjl_torch.so"
rm -rf "$work"
echo "PYTORCH_LIBRARY_PATH=$tdir/lib PYTORCH_VERSION=$tver PYTORCH_FLAVOR=$flavor ENGINE_CACHE_DIR=$cache"
