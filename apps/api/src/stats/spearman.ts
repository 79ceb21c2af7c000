// Spearman's rank correlation (simple-statistics: Pearson correlation of average ranks, so ties are handled).
import { sampleRankCorrelation } from 'simple-statistics';

/** Average 1-based ranks; tied values share the mean of their positions (the ranks Spearman's rho correlates). */
export function averageRanks(values: readonly number[]): number[] {
  const order = values.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  const ranks = new Array<number>(values.length);
  for (let start = 0; start < order.length;) {
    let end = start;
    while (end + 1 < order.length && order[end + 1]![0] === order[start]![0]) end++;
    const rank = (start + end) / 2 + 1;
    for (let k = start; k <= end; k++) ranks[order[k]![1]] = rank;
    start = end + 1;
  }
  return ranks;
}

/** rho in [-1, 1], or null with fewer than 3 pairs or when either side is constant. */
export function spearman(x: readonly number[], y: readonly number[]): number | null {
  if (x.length !== y.length) throw new Error(`spearman: ${x.length} x values but ${y.length} y values`);
  if (x.length < 3) return null;
  const rho = sampleRankCorrelation([...x], [...y]);
  // NaN: a constant side has no ranking. Rounding can step just past +-1.
  return Number.isNaN(rho) ? null : Math.max(-1, Math.min(1, rho));
}
