// The leaderboard: arena-style rank from the Bradley–Terry intervals of blind comparisons, per model mean
// rating with a 95% t interval, corpus BLEU of the latest finished evaluation per split, and BLEU-vs-rating rank
// correlation. The database returns raw aggregates; the statistics are computed here (src/stats).
import type { BleuRatingPoint, EvaluationRunRecord, ModelRecord } from '@captioner/db';
import type { Context } from '../graphql/context.js';
import { memo } from '../graphql/context.js';
import type { Split } from '../generated/graphql.js';
import { arenaRanks } from '../stats/arena-rank.js';
import { bradleyTerry } from '../stats/bradley-terry.js';
import { meanInterval } from '../stats/mean-interval.js';
import { spearman } from '../stats/spearman.js';

const splitOrder: Split[] = ['train', 'val', 'test'];

/** A finished run: its BLEU is set. */
type ScoredRun = EvaluationRunRecord & { bleu: NonNullable<EvaluationRunRecord['bleu']> };

async function compute(ctx: Context) {
  const { db } = ctx.services;
  const [models, ratingStats, pairs, points, totals, runs] = await Promise.all([
    db.models.list(),
    db.leaderboard.ratingStats(),
    db.leaderboard.preferencePairs(),
    db.leaderboard.bleuRatingPoints(),
    db.leaderboard.totals(),
    db.evaluationRuns.latestSucceeded(),
  ]);
  const fitted = bradleyTerry(
    models.map((m) => m.id),
    pairs.map((p) => ({ a: p.modelA, b: p.modelB, winsA: p.winsA, winsB: p.winsB, ties: p.ties })),
  );
  const ranks = arenaRanks(fitted);
  const strengths = new Map(fitted.map((s, i) => [s.player, { ...s, rank: ranks[i]! }]));
  const correlation = (ps: readonly BleuRatingPoint[]) => ({
    rho: spearman(
      ps.map((p) => p.sentenceBleu),
      ps.map((p) => p.meanRating),
    ),
    n: ps.length,
  });

  const entries = models.map((model: ModelRecord) => {
    const r = ratingStats.find((s) => s.modelId === model.id);
    const s = strengths.get(model.id)!;
    const modelPoints = points.filter((p) => p.modelId === model.id);
    // Latest finished run per split; when several datasets/settings exist, the most recent one wins.
    const latestBySplit = new Map<string, ScoredRun>();
    for (const run of runs.filter((x): x is ScoredRun => x.modelId === model.id && x.bleu !== null)) {
      const seen = latestBySplit.get(run.split);
      if (!seen || (run.finishedAt ?? run.createdAt) > (seen.finishedAt ?? seen.createdAt))
        latestBySplit.set(run.split, run);
    }
    return {
      rank: s.rank,
      model,
      rating: meanInterval(r?.count ?? 0, r?.mean ?? null, r?.variance ?? null),
      preference: {
        strength: s.strength,
        low: s.low,
        high: s.high,
        wins: s.wins,
        losses: s.losses,
        ties: s.ties,
        comparisons: s.comparisons,
      },
      bleu: [...latestBySplit.values()]
        .sort((a, b) => splitOrder.indexOf(a.split) - splitOrder.indexOf(b.split))
        .map((run) => ({ split: run.split, bleu: run.bleu, run })),
      bleuRatingCorrelation: correlation(modelPoints),
      bleuRatingPoints: modelPoints,
    };
  });
  const bleu4 = (e: (typeof entries)[number]) =>
    e.bleu.find((b) => b.split === 'test')?.bleu?.[3] ?? e.bleu[0]?.bleu?.[3] ?? -1;
  // Ranked models first; within a shared rank (and among the unranked) the point estimates decide the order.
  entries.sort(
    (a, b) =>
      (a.rank ?? Infinity) - (b.rank ?? Infinity) ||
      b.preference.strength - a.preference.strength ||
      (b.rating.mean ?? -1) - (a.rating.mean ?? -1) ||
      bleu4(b) - bleu4(a) ||
      (a.model.id < b.model.id ? -1 : 1),
  );
  return {
    entries,
    preferenceCount: totals.preferenceCount,
    ratingCount: totals.ratingCount,
    bleuRatingCorrelation: correlation(points),
  };
}

/** One leaderboard entry as computed here (the parent of LeaderboardEntry's resolvers, graphql/mappers.ts). */
export type LeaderboardEntryRecord = Awaited<ReturnType<typeof compute>>['entries'][number];

const leaderboard = (ctx: Context) => memo(ctx, 'leaderboard', () => compute(ctx));

export const Leaderboard = {
  entries: async (_: unknown, __: unknown, ctx: Context) => (await leaderboard(ctx)).entries,
  preferenceCount: async (_: unknown, __: unknown, ctx: Context) => (await leaderboard(ctx)).preferenceCount,
  ratingCount: async (_: unknown, __: unknown, ctx: Context) => (await leaderboard(ctx)).ratingCount,
  bleuRatingCorrelation: async (_: unknown, __: unknown, ctx: Context) =>
    (await leaderboard(ctx)).bleuRatingCorrelation,
};
