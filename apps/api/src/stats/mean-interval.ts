// Mean with a 95% Student-t confidence interval, for star ratings.

const t975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11,
  2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];

/** 97.5% quantile of Student's t: table up to 30 degrees of freedom, Cornish–Fisher expansion beyond (error < 1e-4). */
export function tQuantile975(df: number): number {
  if (df < 1) throw new Error('tQuantile975 needs at least 1 degree of freedom');
  if (df <= t975.length) return t975[Math.round(df) - 1]!;
  const z = 1.959963984540054;
  return z + (z ** 3 + z) / (4 * df) + (5 * z ** 5 + 16 * z ** 3 + 3 * z) / (96 * df ** 2);
}

export interface MeanInterval {
  count: number;
  mean: number | null;
  low: number | null;
  high: number | null;
}

/** From count, mean and sample variance (n - 1), as the database aggregates them. */
export function meanInterval(count: number, mean: number | null, variance: number | null): MeanInterval {
  if (count === 0 || mean === null) return { count, mean: null, low: null, high: null };
  if (count < 2 || variance === null) return { count, mean, low: null, high: null };
  const half = tQuantile975(count - 1) * Math.sqrt(Math.max(0, variance) / count);
  return { count, mean, low: mean - half, high: mean + half };
}
