'use client';
// A canvas laid over an image (it stretches to the image's box) showing one word's attention map.
import { useEffect, useRef } from 'react';
import { drawHeatmap } from './draw-heatmap';

interface Props {
  weights: readonly number[] | null;
  rows: number;
  cols: number;
  /** Canvas resolution; CSS stretches it over the image, so a modest size is enough. */
  resolution?: number;
}

export function HeatmapCanvas({ weights, rows, cols, resolution = 256 }: Props) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const element = canvas.current;
    if (!element) return;
    if (weights) drawHeatmap(element, weights, rows, cols);
    else element.getContext('2d')?.clearRect(0, 0, element.width, element.height);
  }, [weights, rows, cols]);
  return (
    <canvas
      ref={canvas}
      className="heatmap"
      width={resolution}
      height={resolution}
      aria-hidden="true"
      data-visible={weights ? 'true' : 'false'}
    />
  );
}
