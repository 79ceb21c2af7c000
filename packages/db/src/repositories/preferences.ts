// Pairwise preferences between two models' captions of one image. Stored with the smaller caption id
// as A (winner flipped to match), so a voter has one vote per unordered pair; callers always see
// their own A/B order.
import { PREFERENCE_SELECT } from '../columns.js';
import { isUuid, run, type DbContext } from '../context.js';
import { InvalidInputError, NotFoundError } from '../errors.js';
import type { ComparisonCandidate, NewPreference, PreferenceRecord, PreferenceWinner, Split } from '../types.js';
import { randomUnjudgedPair } from '../sql/next-comparison.js';
import { checkVoterId } from './ratings.js';

const WINNERS: readonly PreferenceWinner[] = ['A', 'B', 'TIE'];
const flip = (winner: PreferenceWinner): PreferenceWinner => (winner === 'A' ? 'B' : winner === 'B' ? 'A' : winner);

export function preferencesRepository(ctx: DbContext) {
  return {
    /** Records the voter's preference, replacing an earlier vote on the same pair of captions. */
    async record(input: NewPreference): Promise<PreferenceRecord> {
      checkVoterId(input.voterId);
      if (!WINNERS.includes(input.winner)) {
        throw new InvalidInputError(`A preference winner must be A, B or TIE (got ${String(input.winner)}).`);
      }
      if (input.captionAId === input.captionBId) {
        throw new InvalidInputError('A preference compares two different captions; both ids are the same.');
      }
      for (const [label, id] of [
        ['caption', input.captionAId],
        ['caption', input.captionBId],
        ['image', input.imageId],
      ] as const) {
        if (!isUuid(id)) throw new NotFoundError(label, id);
      }
      const captions = await run(() =>
        ctx.prisma.caption.findMany({
          where: { id: { in: [input.captionAId, input.captionBId] } },
          select: { id: true, imageId: true, modelId: true },
        }),
      );
      const a = captions.find((caption) => caption.id === input.captionAId);
      const b = captions.find((caption) => caption.id === input.captionBId);
      if (!a) throw new NotFoundError('caption', input.captionAId);
      if (!b) throw new NotFoundError('caption', input.captionBId);
      for (const caption of [a, b]) {
        if (caption.imageId !== input.imageId) {
          throw new InvalidInputError(`Caption ${caption.id} is not a caption of image ${input.imageId}.`);
        }
      }
      if (a.modelId === b.modelId) {
        throw new InvalidInputError(
          `Both captions are by model ${a.modelId}; compare captions of two different models.`,
        );
      }
      const swapped = a.id > b.id;
      const [first, second] = swapped ? [b, a] : [a, b];
      const winner = swapped ? flip(input.winner) : input.winner;
      const row = await run(() =>
        ctx.prisma.preference.upsert({
          where: {
            voterId_captionAId_captionBId: { voterId: input.voterId, captionAId: first.id, captionBId: second.id },
          },
          create: {
            imageId: input.imageId,
            captionAId: first.id,
            modelAId: first.modelId,
            captionBId: second.id,
            modelBId: second.modelId,
            winner,
            voterId: input.voterId,
          },
          update: { winner, updatedAt: new Date() },
          select: PREFERENCE_SELECT,
        }),
      );
      const stored = row as PreferenceRecord;
      return swapped
        ? { ...stored, captionAId: stored.captionBId, captionBId: stored.captionAId, winner: flip(stored.winner) }
        : stored;
    },

    /**
     * A random image with captions of two different models that this voter has not judged yet (on
     * that image), in random A/B order; null when there is none.
     */
    async nextComparison(options: { voterId: string; split?: Split | null }): Promise<ComparisonCandidate | null> {
      checkVoterId(options.voterId);
      const row = await randomUnjudgedPair(ctx, options.voterId, options.split ?? null);
      if (!row) return null;
      return Math.random() < 0.5 ? row : { ...row, captionAId: row.captionBId, captionBId: row.captionAId };
    },
  };
}

export type PreferencesRepository = ReturnType<typeof preferencesRepository>;
