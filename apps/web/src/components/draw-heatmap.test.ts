// The heatmap's upsampling is bilinear with each weight at the centre of its grid cell (node --test, no DOM).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { heatmapPixels, upsampleBilinear } from './draw-heatmap';

const close = (actual: number, expected: number, what: string) =>
  assert.ok(Math.abs(actual - expected) < 1e-6, `${what}: ${actual} != ${expected}`);

test('a 2x2 grid upsampled to 4x4 matches bilinear interpolation with half-pixel centres', () => {
  // Output pixel i samples source x = (i + 0.5) * 2 / 4 - 0.5 = -0.25, 0.25, 0.75, 1.25, clamped to [0, 1].
  const out = upsampleBilinear([4, 0, 0, 2], 2, 2, 4, 4); // scaled by the max: [1, 0, 0, 0.5]
  const t = [0, 0.25, 0.75, 1];
  for (let y = 0; y < 4; y++) {
    for (let x = 0; x < 4; x++) {
      const expected = (1 - t[y]!) * (1 - t[x]!) * 1 + t[y]! * t[x]! * 0.5;
      close(out[y * 4 + x]!, expected, `pixel ${x},${y}`);
    }
  }
});

test('a 7x7 attention grid over 224x224: peaks at the cell centre, linear between centres, zero two cells away', () => {
  const weights = Array.from({ length: 49 }, (_, i) => (i === 3 * 7 + 3 ? 0.6 : 0));
  const out = upsampleBilinear(weights, 7, 7, 224, 224);
  const at = (x: number, y: number) => out[y * 224 + x]!;
  // Cell (3, 3) covers pixels 96..127; its centre lies between pixels 111 and 112.
  close(at(111, 111), at(112, 112), 'symmetric about the centre');
  assert.ok(at(111, 111) > 0.96 && at(111, 111) < 1);
  // Along the centre row, the value falls linearly from the centre to the next cell's centre (32 px away).
  for (let x = 112; x < 143; x++)
    close(at(x + 1, 112) - at(x, 112), -at(112, 112) / 32 / (1 - 0.5 / 32), `slope at x=${x}`);
  for (const [x, y] of [
    [0, 0],
    [79, 112],
    [144, 112],
    [112, 200],
    [223, 223],
  ] as const)
    assert.equal(at(x, y), 0, `pixel ${x},${y} is at or beyond a neighbouring cell's centre`);
  // No blocks: every step between neighbouring pixels is small.
  let largest = 0;
  for (let y = 0; y < 224; y++)
    for (let x = 1; x < 224; x++) largest = Math.max(largest, Math.abs(at(x, y) - at(x - 1, y)));
  assert.ok(largest <= 1 / 32 + 1e-6, `largest step ${largest}`);
});

test('edges hold the outermost cells; a flat map stays flat; bad weights are ignored or refused', () => {
  const edge = upsampleBilinear([1, 0.5, 0.25, 0], 2, 2, 8, 8);
  close(edge[0]!, 1, 'top-left corner is the top-left cell');
  close(edge[63]!, 0, 'bottom-right corner is the bottom-right cell');
  for (const v of upsampleBilinear(Array(49).fill(0.02), 7, 7, 50, 30)) close(v, 1, 'flat');
  const cleaned = upsampleBilinear([Number.NaN, -1, 0, 2], 2, 2, 2, 2);
  assert.deepEqual([...cleaned], [0, 0, 0, 1]);
  for (const v of upsampleBilinear([0, 0, 0, 0], 2, 2, 3, 3)) assert.equal(v, 0, 'no attention, no glow');
  assert.throws(() => upsampleBilinear([1, 2, 3], 2, 2, 4, 4), /3 weights, expected 2 x 2/);
});

test('the overlay dims unattended regions and tints attended ones', () => {
  const pixels = heatmapPixels([0, 1], 1, 2, 2, 1);
  assert.deepEqual([...pixels.slice(0, 4)], [0, 0, 0, 199]);
  assert.deepEqual([...pixels.slice(4, 8)], [255, 200, 60, 51]);
});
