// Pairwise preferences between two models' captions of one image. Stored with the smaller caption id
// as A (winner flipped to match), so a voter has one vote per unordered pair; callers always see
// their own A/B order.
import { isUuid, sql, type DbContext } from '../context.js';
import { InvalidInputError, NotFoundError } from '../errors.js';
import type { ComparisonCandidate, NewPreference, PreferenceRecord, PreferenceWinner, Split } from '../types.js';
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
      const captions = await sql<{ id: string; imageId: string; modelId: string }>(
        ctx,
        `SELECT c.id, c.image_id AS "imageId", c.model_id AS "modelId" FROM captions c WHERE c.id = ANY($1::uuid[])`,
        [[input.captionAId, input.captionBId]],
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
      const [row] = await sql<PreferenceRecord>(
        ctx,
        `INSERT INTO preferences AS p (image_id, caption_a_id, model_a_id, caption_b_id, model_b_id, winner, voter_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (voter_id, caption_a_id, caption_b_id) DO UPDATE SET winner = excluded.winner, updated_at = now()
         RETURNING p.id, p.image_id AS "imageId", p.caption_a_id AS "captionAId", p.caption_b_id AS "captionBId",
           p.winner, p.voter_id AS "voterId", p.created_at AS "createdAt", p.updated_at AS "updatedAt"`,
        [
          input.imageId,
          first.id,
          first.modelId,
          second.id,
          second.modelId,
          swapped ? flip(input.winner) : input.winner,
          input.voterId,
        ],
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
      const params: unknown[] = [options.voterId];
      if (options.split) params.push(options.split);
      const [row] = await sql<ComparisonCandidate>(
        ctx,
        `SELECT a.image_id AS "imageId", a.id AS "captionAId", b.id AS "captionBId"
         FROM captions a
         JOIN captions b ON b.image_id = a.image_id AND a.id < b.id AND a.model_id <> b.model_id
         ${options.split ? 'JOIN images i ON i.id = a.image_id AND i.split = $2' : ''}
         WHERE NOT EXISTS (SELECT 1 FROM preferences p WHERE p.voter_id = $1 AND p.image_id = a.image_id)
         ORDER BY random() LIMIT 1`,
        params,
      );
      if (!row) return null;
      return Math.random() < 0.5 ? row : { ...row, captionAId: row.captionBId, captionBId: row.captionAId };
    },
  };
}

export type PreferencesRepository = ReturnType<typeof preferencesRepository>;
