// Arena-style ranks, as LMSYS's Chatbot Arena assigns them: a model's rank is 1 + the number of models whose
// 95% interval lies wholly above its own, so models that the votes cannot yet tell apart share a rank.
// A model without an interval (no comparisons yet) gets no rank: too few votes to place it first or last.

export interface RankInterval {
  low: number | null;
  high: number | null;
}

/** One rank per interval, in the same order; null where the interval is missing. */
export function arenaRanks(intervals: readonly RankInterval[]): (number | null)[] {
  return intervals.map(({ low, high }) => {
    if (low === null || high === null) return null;
    const whollyAbove = intervals.filter((other) => other.low !== null && other.low > high).length;
    return 1 + whollyAbove;
  });
}
