// LeaderboardEntry and SplitBleu fields beyond BLEU (the rest of the leaderboard is in leaderboard.ts): how a
// model's rated captions' sentence ROUGE-L and CIDEr-D rank against their mean rating, and the CIDEr-D and
// ROUGE-L of the evaluation runs behind its per-split scores.
import type { BleuRatingPoint, CaptionRecord, EvaluationRunRecord } from '@captioner/db';
import type { Context } from '../graphql/context.js';
import { captionCiderD, captionRougeL } from '../metrics/caption-scores.js';
import { spearman } from '../stats/spearman.js';

export interface EntryParent {
  /** The model's rated captions that have references (leaderboard.ts). */
  bleuRatingPoints: readonly BleuRatingPoint[];
}

type CaptionScore = (caption: CaptionRecord, ctx: Context) => Promise<number | null>;

/** Spearman's rho between a per-caption metric and the mean rating, over the rated captions it can score. */
async function ratingCorrelation(entry: EntryParent, score: CaptionScore, ctx: Context) {
  const points = entry.bleuRatingPoints;
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

export const LeaderboardEntry = {
  rougeLRatingCorrelation: (entry: EntryParent, _: unknown, ctx: Context) =>
    ratingCorrelation(entry, captionRougeL, ctx),
  ciderRatingCorrelation: (entry: EntryParent, _: unknown, ctx: Context) =>
    ratingCorrelation(entry, captionCiderD, ctx),
};

export const SplitBleu = {
  cider: (parent: { run: EvaluationRunRecord }) => parent.run.cider,
  rougeL: (parent: { run: EvaluationRunRecord }) => parent.run.rougeL,
};
