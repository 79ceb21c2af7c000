// Raw per-model aggregates for the leaderboard. The statistics built on them (t intervals,
// Bradley-Terry strengths, Spearman correlation) are computed by the API, in one place.
import { sql, type DbContext } from '../context.js';
import type { BleuRatingPoint, ModelRatingStats, PreferencePairCounts } from '../types.js';

export function leaderboardRepository(ctx: DbContext) {
  return {
    /** Every model, with count, mean and sample variance of the stars its captions received. */
    ratingStats(): Promise<ModelRatingStats[]> {
      return sql<ModelRatingStats>(
        ctx,
        `SELECT m.id AS "modelId", count(r.id)::int AS count, avg(r.stars)::float8 AS mean,
                var_samp(r.stars)::float8 AS variance
         FROM models m
         LEFT JOIN captions c ON c.model_id = m.id
         LEFT JOIN ratings r ON r.caption_id = c.id
         GROUP BY m.id ORDER BY m.id`,
      );
    },

    /** Wins and ties per unordered pair of models (modelA < modelB), over all voters' preferences. */
    preferencePairs(): Promise<PreferencePairCounts[]> {
      return sql<PreferencePairCounts>(
        ctx,
        `SELECT LEAST(p.model_a_id, p.model_b_id) AS "modelA", GREATEST(p.model_a_id, p.model_b_id) AS "modelB",
           count(*) FILTER (WHERE (p.winner = 'A') = (p.model_a_id < p.model_b_id) AND p.winner <> 'TIE')::int AS "winsA",
           count(*) FILTER (WHERE (p.winner = 'B') = (p.model_a_id < p.model_b_id) AND p.winner <> 'TIE')::int AS "winsB",
           count(*) FILTER (WHERE p.winner = 'TIE')::int AS ties
         FROM preferences p
         GROUP BY 1, 2 ORDER BY 1, 2`,
      );
    },

    /** (sentence BLEU, mean rating) of every rated caption that has a BLEU, for rank correlations. */
    bleuRatingPoints(): Promise<BleuRatingPoint[]> {
      return sql<BleuRatingPoint>(
        ctx,
        `SELECT c.model_id AS "modelId", c.id AS "captionId", c.sentence_bleu AS "sentenceBleu",
                avg(r.stars)::float8 AS "meanRating", count(*)::int AS "ratingCount"
         FROM captions c JOIN ratings r ON r.caption_id = c.id
         WHERE c.sentence_bleu IS NOT NULL
         GROUP BY c.id ORDER BY c.model_id, c.id`,
      );
    },

    async totals(): Promise<{ ratingCount: number; preferenceCount: number }> {
      const [row] = await sql<{ ratingCount: number; preferenceCount: number }>(
        ctx,
        `SELECT (SELECT count(*) FROM ratings)::int AS "ratingCount",
                (SELECT count(*) FROM preferences)::int AS "preferenceCount"`,
      );
      return row ?? { ratingCount: 0, preferenceCount: 0 };
    },
  };
}

export type LeaderboardRepository = ReturnType<typeof leaderboardRepository>;
