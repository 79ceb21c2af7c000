// Raw SQL of the leaderboard: aggregates Prisma's groupBy cannot compute.
import { z } from 'zod';
import { rawRows, type DbContext } from '../context.js';

const ModelRatingStatsRow = z.object({
  modelId: z.string(),
  count: z.number().int(),
  mean: z.number().nullable(),
  variance: z.number().nullable(),
});

/**
 * Every model, with count, mean and sample variance of the stars its captions received. Raw: Prisma has no
 * variance aggregate, and models without ratings must appear too (a LEFT JOIN through captions).
 */
export function modelRatingStats(ctx: DbContext) {
  return rawRows(
    ctx,
    ModelRatingStatsRow,
    `SELECT m.id AS "modelId", count(r.id)::int AS count, avg(r.stars)::float8 AS mean,
            var_samp(r.stars)::float8 AS variance
     FROM models m
     LEFT JOIN captions c ON c.model_id = m.id
     LEFT JOIN ratings r ON r.caption_id = c.id
     GROUP BY m.id ORDER BY m.id`,
  );
}

const PreferencePairRow = z.object({
  modelA: z.string(),
  modelB: z.string(),
  winsA: z.number().int(),
  winsB: z.number().int(),
  ties: z.number().int(),
});

/**
 * Wins and ties per unordered pair of models (modelA < modelB). Raw: it groups by LEAST/GREATEST of two columns
 * and counts with FILTER conditions, neither of which Prisma's groupBy can express.
 */
export function preferencePairCounts(ctx: DbContext) {
  return rawRows(
    ctx,
    PreferencePairRow,
    `SELECT LEAST(p.model_a_id, p.model_b_id) AS "modelA", GREATEST(p.model_a_id, p.model_b_id) AS "modelB",
       count(*) FILTER (WHERE (p.winner = 'A') = (p.model_a_id < p.model_b_id) AND p.winner <> 'TIE')::int AS "winsA",
       count(*) FILTER (WHERE (p.winner = 'B') = (p.model_a_id < p.model_b_id) AND p.winner <> 'TIE')::int AS "winsB",
       count(*) FILTER (WHERE p.winner = 'TIE')::int AS ties
     FROM preferences p
     GROUP BY 1, 2 ORDER BY 1, 2`,
  );
}
