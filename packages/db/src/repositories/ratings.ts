// Star ratings: one per voter per caption, replaced when the voter rates again.
import { isUuid, sql, type DbContext } from '../context.js';
import { InvalidInputError, NotFoundError } from '../errors.js';
import { STARS } from '../limits.js';
import type { RatingRecord, RatingSummary } from '../types.js';

const RATING_COLUMNS = `r.id, r.caption_id AS "captionId", r.voter_id AS "voterId", r.stars,
  r.created_at AS "createdAt", r.updated_at AS "updatedAt"`;

export const emptySummary = (): RatingSummary => ({
  count: 0,
  mean: null,
  histogram: Array.from({ length: STARS.max - STARS.min + 1 }, () => 0) as RatingSummary['histogram'],
});

export function checkVoterId(voterId: unknown): asserts voterId is string {
  if (typeof voterId !== 'string' || voterId.length === 0 || voterId.length > 200) {
    throw new InvalidInputError('A voter id must be a string of 1 to 200 characters.');
  }
}

export function ratingsRepository(ctx: DbContext) {
  async function summaries(captionIds: readonly string[]): Promise<Map<string, RatingSummary>> {
    const valid = captionIds.filter(isUuid);
    const result = new Map<string, RatingSummary>();
    if (valid.length === 0) return result;
    const rows = await sql<{ captionId: string; stars: number; count: number }>(
      ctx,
      `SELECT r.caption_id AS "captionId", r.stars, count(*)::int AS count FROM ratings r
       WHERE r.caption_id = ANY($1::uuid[]) GROUP BY r.caption_id, r.stars`,
      [valid],
    );
    for (const row of rows) {
      const summary = result.get(row.captionId) ?? emptySummary();
      summary.histogram[row.stars - STARS.min] = row.count;
      result.set(row.captionId, summary);
    }
    for (const summary of result.values()) {
      summary.count = summary.histogram.reduce((sum, n) => sum + n, 0);
      const total = summary.histogram.reduce((sum, n, index) => sum + n * (index + STARS.min), 0);
      summary.mean = summary.count > 0 ? total / summary.count : null;
    }
    return result;
  }

  return {
    /**
     * Rates a caption, replacing the voter's earlier rating of it. A single INSERT ... ON CONFLICT, so
     * concurrent calls by one voter end with exactly one row (the last write wins).
     */
    async rate(input: { captionId: string; voterId: string; stars: number }): Promise<RatingRecord> {
      checkVoterId(input.voterId);
      if (!isUuid(input.captionId)) throw new NotFoundError('caption', input.captionId);
      if (!Number.isInteger(input.stars)) {
        throw new InvalidInputError(
          `A rating must be a whole number of stars from ${STARS.min} to ${STARS.max} (got ${input.stars}).`,
        );
      }
      const [row] = await sql<RatingRecord>(
        ctx,
        `INSERT INTO ratings AS r (caption_id, voter_id, stars) VALUES ($1, $2, $3)
         ON CONFLICT (caption_id, voter_id) DO UPDATE SET stars = excluded.stars, updated_at = now()
         RETURNING ${RATING_COLUMNS}`,
        [input.captionId, input.voterId, input.stars],
      );
      return row as RatingRecord;
    },

    async get(captionId: string, voterId: string): Promise<RatingRecord | null> {
      if (!isUuid(captionId)) return null;
      const [row] = await sql<RatingRecord>(
        ctx,
        `SELECT ${RATING_COLUMNS} FROM ratings r WHERE r.caption_id = $1 AND r.voter_id = $2`,
        [captionId, voterId],
      );
      return row ?? null;
    },

    async summary(captionId: string): Promise<RatingSummary> {
      return (await summaries([captionId])).get(captionId) ?? emptySummary();
    },

    /** Summaries by caption id; captions without ratings are absent. */
    summaries,

    /** The voter's stars by caption id; unrated captions are absent. */
    async starsByVoter(voterId: string, captionIds: readonly string[]): Promise<Map<string, number>> {
      const valid = captionIds.filter(isUuid);
      if (valid.length === 0) return new Map();
      const rows = await sql<{ captionId: string; stars: number }>(
        ctx,
        `SELECT r.caption_id AS "captionId", r.stars FROM ratings r
         WHERE r.voter_id = $1 AND r.caption_id = ANY($2::uuid[])`,
        [voterId, valid],
      );
      return new Map(rows.map((row) => [row.captionId, row.stars]));
    },
  };
}

export type RatingsRepository = ReturnType<typeof ratingsRepository>;
