// Bilinear resizing exactly as Pillow does it (libImaging/Resample.c, 8 bits per channel), because
// training/ resizes with PIL's Image.BILINEAR: matching it bit for bit means the runtime sees the same
// pixels the model was trained and evaluated on, so BLEU here equals BLEU there. Pillow's bilinear
// is a triangle filter widened by the scale factor when shrinking (antialiased), applied
// horizontally then vertically, with 22-bit fixed-point weights and rounding to 8 bits after each pass.

const PRECISION_BITS = 32 - 8 - 2;
const HALF = 2 ** (PRECISION_BITS - 1);
const ONE = 2 ** PRECISION_BITS;

interface Coefficients {
  /** Per output index: first input index and number of taps. */
  bounds: Int32Array;
  /** outSize x kernelSize fixed-point weights. */
  weights: Float64Array;
  kernelSize: number;
}

function triangle(x: number): number {
  const a = Math.abs(x);
  return a < 1 ? 1 - a : 0;
}

function precompute(inSize: number, outSize: number): Coefficients {
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = 1 * filterScale; // bilinear support is 1
  const kernelSize = Math.ceil(support) * 2 + 1;
  const bounds = new Int32Array(outSize * 2);
  const weights = new Float64Array(outSize * kernelSize);
  const taps = new Float64Array(kernelSize);
  for (let xx = 0; xx < outSize; xx++) {
    const center = (xx + 0.5) * scale;
    // C truncation toward zero of (center -/+ support + 0.5), then clamped.
    let xmin = Math.trunc(center - support + 0.5);
    if (xmin < 0) xmin = 0;
    let xmax = Math.trunc(center + support + 0.5);
    if (xmax > inSize) xmax = inSize;
    xmax -= xmin;
    let total = 0;
    for (let x = 0; x < xmax; x++) {
      const w = triangle((x + xmin - center + 0.5) / filterScale);
      taps[x] = w;
      total += w;
    }
    for (let x = 0; x < xmax; x++) {
      const w = total !== 0 ? taps[x]! / total : taps[x]!;
      // Pillow: (int)(0.5 + w * (1 << PRECISION_BITS)), or -0.5 for negative weights.
      weights[xx * kernelSize + x] = Math.trunc(w < 0 ? -0.5 + w * ONE : 0.5 + w * ONE);
    }
    bounds[xx * 2] = xmin;
    bounds[xx * 2 + 1] = xmax;
  }
  return { bounds, weights, kernelSize };
}

function clip8(value: number): number {
  if (value >= ONE * 256) return 255;
  if (value <= 0) return 0;
  return Math.floor(value / ONE);
}

/** Resizes packed RGB (3 bytes per pixel) from width x height to outWidth x outHeight like PIL BILINEAR. */
export function resizeBilinearLikePil(
  rgb: Uint8Array,
  width: number,
  height: number,
  outWidth: number,
  outHeight: number,
): Uint8Array {
  if (rgb.length !== width * height * 3) throw new Error(`expected ${width * height * 3} RGB bytes, got ${rgb.length}`);
  if (width === outWidth && height === outHeight) return rgb;

  const vertical = precompute(height, outHeight);
  // Only the input rows some output row reads go through the horizontal pass (as in Pillow).
  const firstRow = vertical.bounds[0]!;
  const lastRow = vertical.bounds[(outHeight - 1) * 2]! + vertical.bounds[(outHeight - 1) * 2 + 1]!;

  let source = rgb;
  let sourceWidth = width;
  let rowOffset = 0;
  if (width !== outWidth) {
    const { bounds, weights, kernelSize } = precompute(width, outWidth);
    const rows = lastRow - firstRow;
    const temp = new Uint8Array(outWidth * rows * 3);
    for (let y = 0; y < rows; y++) {
      const inRow = (y + firstRow) * width * 3;
      const outRow = y * outWidth * 3;
      for (let xx = 0; xx < outWidth; xx++) {
        const xmin = bounds[xx * 2]!;
        const taps = bounds[xx * 2 + 1]!;
        const k = xx * kernelSize;
        let r = HALF;
        let g = HALF;
        let b = HALF;
        for (let x = 0; x < taps; x++) {
          const w = weights[k + x]!;
          const p = inRow + (x + xmin) * 3;
          r += rgb[p]! * w;
          g += rgb[p + 1]! * w;
          b += rgb[p + 2]! * w;
        }
        const o = outRow + xx * 3;
        temp[o] = clip8(r);
        temp[o + 1] = clip8(g);
        temp[o + 2] = clip8(b);
      }
    }
    source = temp;
    sourceWidth = outWidth;
    rowOffset = firstRow;
  }
  if (height === outHeight) return source;

  const { bounds, weights, kernelSize } = vertical;
  const out = new Uint8Array(outWidth * outHeight * 3);
  for (let yy = 0; yy < outHeight; yy++) {
    const ymin = bounds[yy * 2]! - rowOffset;
    const taps = bounds[yy * 2 + 1]!;
    const k = yy * kernelSize;
    for (let xx = 0; xx < outWidth; xx++) {
      let r = HALF;
      let g = HALF;
      let b = HALF;
      for (let y = 0; y < taps; y++) {
        const w = weights[k + y]!;
        const p = ((y + ymin) * sourceWidth + xx) * 3;
        r += source[p]! * w;
        g += source[p + 1]! * w;
        b += source[p + 2]! * w;
      }
      const o = (yy * outWidth + xx) * 3;
      out[o] = clip8(r);
      out[o + 1] = clip8(g);
      out[o + 2] = clip8(b);
    }
  }
  return out;
}
