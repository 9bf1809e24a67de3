"""The Pillow peer of ResampleBenchmark: resizes the same crops to the same sizes with BICUBIC on one thread.

Usage: python tools/bench_resize.py DIR SECONDS   (DIR written by `ResampleBenchmark write DIR`)
Also reports how far Java's output (java-N.png) is from Pillow's, per channel value.
"""
import sys
import time

from PIL import Image
import numpy as np

d, seconds = sys.argv[1], float(sys.argv[2])
jobs = []
for line in open(f"{d}/sizes.txt"):
    i, w, h = line.split()
    img = Image.open(f"{d}/crop-{i}.png").convert("RGB")
    img.load()
    jobs.append((i, img, (int(w), int(h))))
diff = 0
for i, img, size in jobs:
    ours = np.asarray(Image.open(f"{d}/java-{i}.png").convert("RGB"), dtype=np.int16)
    theirs = np.asarray(img.resize(size, Image.BICUBIC), dtype=np.int16)
    diff = max(diff, int(np.abs(ours - theirs).max()))
end = time.perf_counter() + 3
while time.perf_counter() < end:
    for _, img, size in jobs:
        img.resize(size, Image.BICUBIC)
n = 0
t0 = time.perf_counter()
end = t0 + seconds
while time.perf_counter() < end:
    for _, img, size in jobs:
        img.resize(size, Image.BICUBIC)
        n += 1
secs = time.perf_counter() - t0
print(f"pillow bicubic crop-back, 1 thread: {n / secs:7.1f} images/s ({n} images; Pillow {Image.__version__}; "
      f"largest |java - pillow| {diff})")
