// Human reference captions of an image (from a dataset), in dataset order.
import { isUuid, sql, type DbContext } from '../context.js';
import { NotFoundError } from '../errors.js';
import type { ReferenceRecord } from '../types.js';

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
  };
}

export type ReferencesRepository = ReturnType<typeof referencesRepository>;
