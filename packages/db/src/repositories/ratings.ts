// Star ratings: one per voter per caption, replaced when the voter rates again.
import { isUuid, run, type DbContext } from '../context.js';
import { RATING_SELECT } from '../columns.js';
import { InvalidInputError, NotFoundError } from '../errors.js';
import { STARS } from '../limits.js';
import { starCounts, starsOfVoter } from '../sql/batch-loads.js';
import type { RatingRecord, RatingSummary } from '../types.js';

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
    // A DataLoader batch read, raw for speed (src/sql/batch-loads.ts).
    for (const row of await starCounts(ctx, valid)) {
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
     * Rates a caption, replacing the voter's earlier rating of it. Prisma runs this upsert as one
     * INSERT ... ON CONFLICT, so concurrent calls by one voter end with exactly one row (the last write wins).
     */
    async rate(input: { captionId: string; voterId: string; stars: number }): Promise<RatingRecord> {
      checkVoterId(input.voterId);
      if (!isUuid(input.captionId)) throw new NotFoundError('caption', input.captionId);
      if (!Number.isInteger(input.stars)) {
        throw new InvalidInputError(
          `A rating must be a whole number of stars from ${STARS.min} to ${STARS.max} (got ${input.stars}).`,
        );
      }
      const { captionId, voterId, stars } = input;
      return run(
        () =>
          ctx.prisma.rating.upsert({
            where: { captionId_voterId: { captionId, voterId } },
            create: { captionId, voterId, stars },
            update: { stars, updatedAt: new Date() },
            select: RATING_SELECT,
          }),
        { caption: captionId },
      );
    },

    async get(captionId: string, voterId: string): Promise<RatingRecord | null> {
      if (!isUuid(captionId)) return null;
      return run(() =>
        ctx.prisma.rating.findUnique({ where: { captionId_voterId: { captionId, voterId } }, select: RATING_SELECT }),
      );
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
      const rows = await starsOfVoter(ctx, voterId, valid); // a DataLoader batch read, raw for speed
      return new Map(rows.map((row) => [row.captionId, row.stars]));
    },
  };
}

export type RatingsRepository = ReturnType<typeof ratingsRepository>;
