// The leaderboard's CIDEr-D and ROUGE-L fields (the rest of Leaderboard, LeaderboardEntry and SplitBleu is in
// leaderboard.ts): how rated captions' sentence ROUGE-L and CIDEr-D rank against their mean rating, overall and
// per model, and the CIDEr-D and ROUGE-L of the evaluation runs behind a model's per-split scores.
import type { BleuRatingPoint, CaptionRecord, EvaluationRunRecord } from '@captioner/db';
import type { Context } from '../graphql/context.js';
import { memo } from '../graphql/context.js';
import { captionCiderD, captionRougeL } from '../metrics/caption-scores.js';
import { spearman } from '../stats/spearman.js';

export interface EntryParent {
  /** The model's rated captions that have references (leaderboard.ts). */
  bleuRatingPoints: readonly BleuRatingPoint[];
}

type CaptionScore = (caption: CaptionRecord, ctx: Context) => Promise<number | null>;

/** Spearman's rho between a per-caption metric and the mean rating, over the rated captions it can score. */
async function ratingCorrelation(points: readonly BleuRatingPoint[], score: CaptionScore, ctx: Context) {
  const captions = await ctx.loaders.captionById.loadMany(points.map((point) => point.captionId));
  const scored = await Promise.all(
    points.map(async (point, i) => {
      const caption = captions[i];
      if (!caption || caption instanceof Error) return null;
      const value = await score(caption, ctx);
      return value === null ? null : { value, rating: point.meanRating };
    }),
  );
  const pairs = scored.filter((pair) => pair !== null);
  return {
    rho: spearman(
      pairs.map((pair) => pair.value),
      pairs.map((pair) => pair.rating),
    ),
    n: pairs.length,
  };
}

/** Every model's rated captions with references, as bleuRatingCorrelation uses them. */
const allPoints = (ctx: Context) => memo(ctx, 'bleuRatingPoints', () => ctx.services.db.leaderboard.bleuRatingPoints());

export const LeaderboardMetricCorrelations = {
  rougeLRatingCorrelation: async (_: unknown, __: unknown, ctx: Context) =>
    ratingCorrelation(await allPoints(ctx), captionRougeL, ctx),
  ciderRatingCorrelation: async (_: unknown, __: unknown, ctx: Context) =>
    ratingCorrelation(await allPoints(ctx), captionCiderD, ctx),
};

export const LeaderboardEntry = {
  rougeLRatingCorrelation: (entry: EntryParent, _: unknown, ctx: Context) =>
    ratingCorrelation(entry.bleuRatingPoints, captionRougeL, ctx),
  ciderRatingCorrelation: (entry: EntryParent, _: unknown, ctx: Context) =>
    ratingCorrelation(entry.bleuRatingPoints, captionCiderD, ctx),
};

export const SplitBleu = {
  cider: (parent: { run: EvaluationRunRecord }) => parent.run.cider,
  rougeL: (parent: { run: EvaluationRunRecord }) => parent.run.rougeL,
};
