#!/usr/bin/env bash
# Prepares gpu-bundle/ (git-ignored) for tools/gpu/run.sh on a GPU machine that has no network and maybe no Java:
#   gpu-bundle/lib/      the class path of gptedit-models' GpuTrainBenchmark (its test class included) without the
#                        pinned CPU libtorch and JNI jars (the device's own libtorch and a JNI built there are used)
#   gpu-bundle/jre.tar.xz  with --jre, a jlinked Java runtime (java.base and the modules the benchmark and
#                        GpuEditCheck load, java.desktop for the image types among them), uncompressed by jlink and
#                        xz-compressed whole: 17 MB instead of 49 MB as a folder; run.sh unpacks it on the device.
#                        Leave it out when the device has Java 17+
#   gpu-bundle/djl-src/  the DJL v0.36.0 sources that build_djl_jni.sh compiles there (about 1 MB)
# The bundle must stay under the device call's 64 MiB: the script prints its size.
#
# Usage: tools/gpu/prepare.sh DJL_CHECKOUT [--jre]   (DJL_CHECKOUT: a git clone of deepjavalibrary/djl with tag v0.36.0)
set -euo pipefail
cd "$(dirname "$0")/../.."
djl=$1; jre=${2:-}
out=gpu-bundle
rm -rf "$out" && mkdir -p "$out/lib" "$out/djl-src"
mvn -B -q -o -pl gptedit-models -am test-compile dependency:build-classpath \
  -Dmdep.outputFile="$PWD/$out/cp.txt" -Dmdep.includeScope=test
# not needed by the benchmark (and too large to carry): the pinned CPU libtorch and JNI (the device's torch and a JNI
# built there are used), ONNX Runtime, HF tokenizers' natives, test libraries
tr ':' '\n' < "$out/cp.txt" | grep -v -e pytorch-native-cpu -e pytorch-jni -e onnxruntime -e tokenizers -e jazzer \
  -e junit -e assertj -e opentest4j -e apiguardian -e byte-buddy | while read -r jar; do [[ -f "$jar" ]] && cp "$jar" "$out/lib/"; done
(cd gptedit-core/target/classes && jar cf "../../../$out/lib/gptedit-core.jar" .)
(cd gptedit-models/target/classes && jar cf "../../../$out/lib/gptedit-models.jar" .)
(cd gptedit-models/target/test-classes && jar cf "../../../$out/lib/gptedit-models-tests.jar" io/gptedit/models/bench)
rm "$out/cp.txt"
git -C "$djl" archive v0.36.0 engines/pytorch/pytorch-native/CMakeLists.txt engines/pytorch/pytorch-native/src/main/native \
  engines/pytorch/pytorch-engine/src/main/java/ai/djl/pytorch/jni api/src/main/native | tar -x -C "$out/djl-src"
# the JNI header and the JDK's jni.h, so that build_djl_jni.sh needs neither a JDK nor cmake on the device
mkdir -p "$out/djl-src/jni-header" "$out/djl-src/jni-include/linux" "$out/classes-tmp"
javac -cp "$HOME/.m2/repository/ai/djl/api/0.36.0/api-0.36.0.jar:$HOME/.m2/repository/ai/djl/pytorch/pytorch-engine/0.36.0/pytorch-engine-0.36.0.jar" \
  -sourcepath "$out/djl-src/engines/pytorch/pytorch-engine/src/main/java" \
  "$out/djl-src/engines/pytorch/pytorch-engine/src/main/java/ai/djl/pytorch/jni/PyTorchLibrary.java" \
  -h "$out/djl-src/jni-header" -d "$out/classes-tmp"
rm -rf "$out/classes-tmp"
jdk_include=$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")/include
cp "$jdk_include/jni.h" "$out/djl-src/jni-include/"; cp "$jdk_include/linux/jni_md.h" "$out/djl-src/jni-include/linux/"
if [[ "$jre" == --jre ]]; then
  # java.desktop: GpuEditCheck's editors read and write images (java.awt.image); without it that check failed in the
  # jlinked runtime with NoClassDefFoundError: java/awt/image/Raster.
  jlink --add-modules java.base,java.logging,java.management,jdk.unsupported,jdk.zipfs,java.desktop \
    --strip-debug --no-man-pages --no-header-files --output "$out/jre"
  tar -C "$out" -cf - jre | xz -T2 -6 > "$out/jre.tar.xz"
  rm -rf "$out/jre"
fi
du -sh "$out" "$out"/*
