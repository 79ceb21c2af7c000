// Per-model aggregates for the leaderboard. The statistics built on them (t intervals, Bradley-Terry
// strengths, Spearman correlation) are computed by the API, in one place.
import { run, type DbContext } from '../context.js';
import { modelRatingStats, preferencePairCounts } from '../sql/leaderboard.js';
import type { BleuRatingPoint, ModelRatingStats, PreferencePairCounts } from '../types.js';

export function leaderboardRepository(ctx: DbContext) {
  return {
    /** Every model, with count, mean and sample variance of the stars its captions received. */
    ratingStats: (): Promise<ModelRatingStats[]> => modelRatingStats(ctx),

    /** Wins and ties per unordered pair of models (modelA < modelB), over all voters' preferences. */
    preferencePairs: (): Promise<PreferencePairCounts[]> => preferencePairCounts(ctx),

    /**
     * (sentence BLEU, mean rating) of every rated caption that has a BLEU, for rank correlations. The mean comes
     * from the caption's rating count and sum, kept by the ratings trigger (migration 20261125200000_gallery_stats).
     */
    async bleuRatingPoints(): Promise<BleuRatingPoint[]> {
      const rows = await run(() =>
        ctx.prisma.caption.findMany({
          where: { sentenceBleu: { not: null }, ratingCount: { gt: 0 } },
          orderBy: [{ modelId: 'asc' }, { id: 'asc' }],
          select: { modelId: true, id: true, sentenceBleu: true, ratingCount: true, ratingSum: true },
        }),
      );
      return rows.map((row) => ({
        modelId: row.modelId,
        captionId: row.id,
        sentenceBleu: row.sentenceBleu as number,
        meanRating: row.ratingSum / row.ratingCount,
        ratingCount: row.ratingCount,
      }));
    },

    async totals(): Promise<{ ratingCount: number; preferenceCount: number }> {
      const [ratingCount, preferenceCount] = await run(() =>
        Promise.all([ctx.prisma.rating.count(), ctx.prisma.preference.count()]),
      );
      return { ratingCount, preferenceCount };
    },
  };
}

export type LeaderboardRepository = ReturnType<typeof leaderboardRepository>;
