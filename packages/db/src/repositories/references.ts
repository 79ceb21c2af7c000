// Human reference captions of an image (from a dataset), in dataset order.
import { isUuid, sql, type DbContext } from '../context.js';
import { NotFoundError } from '../errors.js';
import type { ReferenceRecord, Split } from '../types.js';

export const REFERENCE_COLUMNS = `rc.id, rc.image_id AS "imageId", rc.text, rc.position`;

export function referencesRepository(ctx: DbContext) {
  return {
    /** Adds the texts not stored yet (blank ones skipped); returns how many were added. Re-running is a no-op. */
    async add(imageId: string, texts: readonly string[]): Promise<number> {
      if (!isUuid(imageId)) throw new NotFoundError('image', imageId);
      const clean = [...new Set(texts.map((text) => text.trim()).filter((text) => text !== ''))];
      if (clean.length === 0) return 0;
      // Positions continue after the ones stored, in the order given.
      const rows = await sql<{ id: string }>(
        ctx,
        `INSERT INTO reference_captions (image_id, text, position)
         SELECT $1, t.text,
                COALESCE((SELECT max(position) + 1 FROM reference_captions WHERE image_id = $1), 0)
                  + row_number() OVER (ORDER BY t.ord) - 1
         FROM unnest($2::text[]) WITH ORDINALITY AS t(text, ord)
         WHERE NOT EXISTS (SELECT 1 FROM reference_captions rc WHERE rc.image_id = $1 AND rc.text = t.text)
         ON CONFLICT (image_id, text) DO NOTHING
         RETURNING id`,
        [imageId, clean],
      );
      return rows.length;
    },

    async listByImage(imageId: string): Promise<ReferenceRecord[]> {
      if (!isUuid(imageId)) return [];
      return sql<ReferenceRecord>(
        ctx,
        `SELECT ${REFERENCE_COLUMNS} FROM reference_captions rc WHERE rc.image_id = $1 ORDER BY rc.position, rc.id`,
        [imageId],
      );
    },

    async listByImages(imageIds: readonly string[]): Promise<ReferenceRecord[]> {
      const valid = imageIds.filter(isUuid);
      if (valid.length === 0) return [];
      return sql<ReferenceRecord>(
        ctx,
        `SELECT ${REFERENCE_COLUMNS} FROM reference_captions rc WHERE rc.image_id = ANY($1::uuid[])
         ORDER BY rc.image_id, rc.position, rc.id`,
        [valid],
      );
    },

    /** The reference texts of every image of a dataset split, one list per image: a corpus metric's references. */
    async listBySplit(where: { dataset: string; split: Split }): Promise<string[][]> {
      const rows = await sql<{ texts: string[] }>(
        ctx,
        `SELECT array_agg(rc.text ORDER BY rc.position, rc.id) AS texts
         FROM reference_captions rc JOIN images i ON i.id = rc.image_id
         WHERE i.dataset = $1 AND i.split = $2
         GROUP BY rc.image_id ORDER BY rc.image_id`,
        [where.dataset, where.split],
      );
      return rows.map((row) => row.texts);
    },

    /**
     * A version of a dataset split's references that changes whenever one is added or removed (their count and
     * newest creation time), so a cache of something computed from them can tell it is stale.
     */
    async splitVersion(where: { dataset: string; split: Split }): Promise<string> {
      const [row] = await sql<{ count: number; newest: Date | null }>(
        ctx,
        `SELECT count(*)::int AS count, max(rc.created_at) AS newest
         FROM reference_captions rc JOIN images i ON i.id = rc.image_id
         WHERE i.dataset = $1 AND i.split = $2`,
        [where.dataset, where.split],
      );
      return `${row?.count ?? 0}@${row?.newest?.toISOString() ?? '-'}`;
    },
  };
}

export type ReferencesRepository = ReturnType<typeof referencesRepository>;
