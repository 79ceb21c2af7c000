// Mean with a 95% Student-t confidence interval, for star ratings.
import jstat from 'jstat';

/**
 * 97.5% quantile of Student's t (jStat), to three decimals as printed t tables give it, so intervals match the
 * tabulated values (12.706 at 1 degree of freedom, 3.182 at 3, ...).
 */
export function tQuantile975(df: number): number {
  if (!(df >= 1)) throw new Error('tQuantile975 needs at least 1 degree of freedom');
  return Math.round(jstat.jStat.studentt.inv(0.975, df) * 1000) / 1000;
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
