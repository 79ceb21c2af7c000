// Paints one attention map over a canvas the way the Show, Attend and Tell figures do: the grid of weights is
// upsampled smoothly to the canvas, regions the model ignores are dimmed and the attended ones glow.
//
// The upsampling is computed here, not left to the browser's image smoothing (which differs between browsers and
// at 'high' quality is not bilinear): each grid weight belongs to the centre of its cell — a 7x7 grid over a
// 224x224 photo puts them at pixels 16, 48, ..., 208, the centres of ResNet50's 32-pixel receptive-field strides —
// and every canvas pixel takes the bilinear interpolation of the four nearest centres (half-pixel centres, as
// PyTorch's interpolate with align_corners=False), held constant beyond the outermost centres.

/** The attention weights, scaled so the strongest region is 1, bilinearly upsampled to width x height. */
export function upsampleBilinear(
  weights: readonly number[],
  rows: number,
  cols: number,
  width: number,
  height: number,
): Float32Array {
  if (rows < 1 || cols < 1 || weights.length !== rows * cols) {
    throw new RangeError(`attention has ${weights.length} weights, expected ${rows} x ${cols}`);
  }
  const max = Math.max(...weights.map((w) => (Number.isFinite(w) ? w : 0)));
  const scale = max > 0 ? 1 / max : 0;
  const cell = (r: number, c: number) => {
    const w = weights[r * cols + c]!;
    return Number.isFinite(w) && w > 0 ? w * scale : 0;
  };
  // Per output column (and row): the two source cells and the weight of the second.
  const axis = (size: number, cells: number) => {
    const lo = new Int32Array(size);
    const hi = new Int32Array(size);
    const t = new Float32Array(size);
    for (let i = 0; i < size; i++) {
      const source = Math.min(cells - 1, Math.max(0, ((i + 0.5) * cells) / size - 0.5));
      lo[i] = Math.floor(source);
      hi[i] = Math.min(cells - 1, lo[i]! + 1);
      t[i] = source - lo[i]!;
    }
    return { lo, hi, t };
  };
  const x = axis(width, cols);
  const y = axis(height, rows);
  const out = new Float32Array(width * height);
  for (let j = 0; j < height; j++) {
    const r0 = y.lo[j]!;
    const r1 = y.hi[j]!;
    const ty = y.t[j]!;
    for (let i = 0; i < width; i++) {
      const c0 = x.lo[i]!;
      const c1 = x.hi[i]!;
      const tx = x.t[i]!;
      const top = cell(r0, c0) * (1 - tx) + cell(r0, c1) * tx;
      const bottom = cell(r1, c0) * (1 - tx) + cell(r1, c1) * tx;
      out[j * width + i] = top * (1 - ty) + bottom * ty;
    }
  }
  return out;
}

/** RGBA pixels of the overlay: low attention a dark veil, high attention a light warm tint that barely covers. */
export function heatmapPixels(
  weights: readonly number[],
  rows: number,
  cols: number,
  width: number,
  height: number,
): Uint8ClampedArray {
  const values = upsampleBilinear(weights, rows, cols, width, height);
  const pixels = new Uint8ClampedArray(width * height * 4);
  values.forEach((a, index) => {
    const offset = index * 4;
    pixels[offset] = Math.round(255 * a);
    pixels[offset + 1] = Math.round(200 * a);
    pixels[offset + 2] = Math.round(60 * a);
    pixels[offset + 3] = Math.round(255 * (0.78 - 0.58 * a));
  });
  return pixels;
}

export function drawHeatmap(canvas: HTMLCanvasElement, weights: readonly number[], rows: number, cols: number): void {
  const context = canvas.getContext('2d');
  if (!context) return;
  context.clearRect(0, 0, canvas.width, canvas.height);
  if (weights.length !== rows * cols || rows === 0 || cols === 0 || canvas.width === 0 || canvas.height === 0) return;
  const image = context.createImageData(canvas.width, canvas.height);
  image.data.set(heatmapPixels(weights, rows, cols, canvas.width, canvas.height));
  context.putImageData(image, 0, 0);
}
