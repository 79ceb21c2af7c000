import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';

import { resizeBilinearLikePil } from './resample.js';

// Pillow (Debian python3-pil) resizes the same random pixels; the outputs must be identical bytes.
function pilResize(
  cases: { width: number; height: number; outWidth: number; outHeight: number; pixels: string }[],
): string[] {
  const script = `
import base64, json, sys
from PIL import Image
out = []
for c in json.load(sys.stdin):
    im = Image.frombytes("RGB", (c["width"], c["height"]), base64.b64decode(c["pixels"]))
    out.append(base64.b64encode(im.resize((c["outWidth"], c["outHeight"]), Image.BILINEAR).tobytes()).decode())
print(json.dumps(out))
`;
  return JSON.parse(
    execFileSync('/usr/bin/python3', ['-c', script], {
      input: JSON.stringify(cases),
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    }),
  ) as string[];
}

test('bilinear resize is byte-identical to PIL Image.BILINEAR when shrinking, enlarging and stretching', () => {
  let seed = 7;
  const random = (): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const sizes: [number, number, number, number][] = [
    [128, 128, 64, 64], // the shapes test images
    [640, 480, 64, 64], // photo-like, non-integer factors
    [37, 91, 64, 64], // enlarge one axis, shrink the other
    [10, 7, 64, 64], // enlarge both
    [64, 200, 64, 64], // vertical only
    [300, 64, 64, 64], // horizontal only
    [1, 1, 64, 64],
    [501, 333, 224, 224],
  ];
  const cases = sizes.map(([width, height, outWidth, outHeight], i) => {
    const pixels = new Uint8Array(width * height * 3);
    // Smooth gradients plus noise: both regimes of rounding show up.
    for (let p = 0; p < pixels.length; p++)
      pixels[p] = i % 2 ? Math.floor(random() * 256) : (p * 7 + Math.floor(random() * 20)) % 256;
    return { width, height, outWidth, outHeight, pixels };
  });
  const expected = pilResize(cases.map((c) => ({ ...c, pixels: Buffer.from(c.pixels).toString('base64') })));
  cases.forEach((c, i) => {
    const ours = resizeBilinearLikePil(c.pixels, c.width, c.height, c.outWidth, c.outHeight);
    assert.equal(
      Buffer.from(ours).toString('base64'),
      expected[i],
      `${c.width}x${c.height} -> ${c.outWidth}x${c.outHeight}`,
    );
  });
});

test('same size is returned untouched', () => {
  const pixels = Uint8Array.from({ length: 4 * 3 * 3 }, (_, i) => i);
  assert.equal(resizeBilinearLikePil(pixels, 4, 3, 4, 3), pixels);
  assert.throws(() => resizeBilinearLikePil(pixels, 5, 3, 4, 3), /expected 45 RGB bytes/);
});
