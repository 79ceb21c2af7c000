// Paints one attention map over a canvas the way the Show, Attend and Tell figures do: the grid of weights is
// upsampled smoothly to the canvas, regions the model ignores are dimmed and the attended ones glow.
export function drawHeatmap(canvas: HTMLCanvasElement, weights: readonly number[], rows: number, cols: number): void {
  const context = canvas.getContext('2d');
  if (!context) return;
  context.clearRect(0, 0, canvas.width, canvas.height);
  if (weights.length !== rows * cols || rows === 0 || cols === 0) return;

  const max = Math.max(...weights) || 1;
  const grid = document.createElement('canvas');
  grid.width = cols;
  grid.height = rows;
  const gridContext = grid.getContext('2d');
  if (!gridContext) return;
  const pixels = gridContext.createImageData(cols, rows);
  weights.forEach((weight, index) => {
    const a = Math.max(0, weight) / max; // 0..1, relative to the strongest region of this word
    const offset = index * 4;
    // Low attention: dark veil. High attention: a light warm tint that barely covers the image.
    pixels.data[offset] = Math.round(255 * a);
    pixels.data[offset + 1] = Math.round(200 * a);
    pixels.data[offset + 2] = Math.round(60 * a);
    pixels.data[offset + 3] = Math.round(255 * (0.78 - 0.58 * a));
  });
  gridContext.putImageData(pixels, 0, 0);

  // Upsample in two steps: nearest-free bilinear from a cols x rows image looks blocky at large factors.
  const middle = document.createElement('canvas');
  middle.width = cols * 4;
  middle.height = rows * 4;
  const middleContext = middle.getContext('2d');
  if (!middleContext) return;
  middleContext.imageSmoothingEnabled = true;
  middleContext.imageSmoothingQuality = 'high';
  middleContext.drawImage(grid, 0, 0, middle.width, middle.height);

  context.imageSmoothingEnabled = true;
  context.imageSmoothingQuality = 'high';
  context.drawImage(middle, 0, 0, canvas.width, canvas.height);
}
