#!/usr/bin/python3
"""Writes the image fixtures gptedit-core's tests compare against (run with Debian's python3-pil).

  /usr/bin/python3 gptedit-core/src/test/python/make_image_fixtures.py gptedit-core/src/test/resources/fixtures

Outputs:
  pattern-64x48.png         a deterministic test pattern (gradients, a hard edge, noise-like texture)
  pattern-64x48.webp        the same pixels as lossless WebP (our WebP reader must decode them exactly)
  pattern-64x48.lossy.webp  lossy WebP of the same pixels
  pattern-64x48.lossy.libwebp.png  libwebp's decoding of it (ours must agree closely)
  pil-bicubic-32x24.png     Pillow's BICUBIC resize of the pattern to 32x24 (the UltraEdit-style 2x shrink)
  pil-bicubic-47x31.png     Pillow's BICUBIC resize of the pattern to 47x31 (odd factors)
  pil-bicubic-101x77.png    Pillow's BICUBIC enlargement to 101x77
"""
import os
import sys

from PIL import Image


def pattern(w, h, texture=True):
    img = Image.new("RGB", (w, h))
    px = img.load()
    for y in range(h):
        for x in range(w):
            r = (x * 255) // (w - 1)
            g = (y * 255) // (h - 1)
            b = ((x * 37 + y * 91) * 2654435761 >> 13) & 0xFF if texture else (x + y) * 2  # hash texture
            if x > w // 2 and y < h // 3:  # a hard-edged block
                r, g, b = 250, 20, 30
            px[x, y] = (r, g, b)
    return img


def main(out):
    os.makedirs(out, exist_ok=True)
    src = pattern(64, 48)
    src.save(os.path.join(out, "pattern-64x48.png"))
    src.save(os.path.join(out, "pattern-64x48.webp"), lossless=True)
    # Lossy WebP subsamples chroma; decoders differ in how they upsample it, so the lossy check uses a smooth
    # image (gradients and a block, no per-pixel texture) where that choice barely matters.
    smooth = pattern(64, 48, texture=False)
    smooth.save(os.path.join(out, "pattern-64x48.lossy.webp"), quality=90)
    # libwebp's own decoding of the lossy file: our reader should agree with it closely.
    Image.open(os.path.join(out, "pattern-64x48.lossy.webp")).convert("RGB").save(
        os.path.join(out, "pattern-64x48.lossy.libwebp.png"))
    for w, h in ((32, 24), (47, 31), (101, 77)):
        src.resize((w, h), Image.BICUBIC).save(os.path.join(out, "pil-bicubic-%dx%d.png" % (w, h)))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else ".")
