// Images: store (deduplicated by SHA-256), read without or with their bytes, pick evaluation sets, list datasets.
import { createHash } from 'node:crypto';
import { isUuid, sql, type DbContext } from '../context.js';
import { InvalidInputError } from '../errors.js';
import type {
  DatasetSummary,
  ImageFilter,
  ImageRecord,
  ListImagesQuery,
  NewImage,
  Split,
  StoredBytes,
} from '../types.js';
import { countImages, listImages } from './gallery.js';

/** Every column but the bytes, named as ImageRecord's fields. */
export const IMAGE_COLUMNS = `i.id, i.sha256, i.mime, i.byte_size AS "byteSize", i.width, i.height,
  i.thumbnail_mime AS "thumbnailMime", i.filename, i.source, i.dataset, i.split, i.created_at AS "createdAt",
  i.uploader_voter_id AS "uploaderVoterId"`;

export function imagesRepository(ctx: DbContext) {
  return {
    /** Stores the image unless the same bytes are stored already; then returns that one. */
    async upsertBySha256(input: NewImage): Promise<{ image: ImageRecord; created: boolean }> {
      if (!(input.bytes instanceof Uint8Array) || input.bytes.length === 0) {
        throw new InvalidInputError('An image needs its bytes (got none).');
      }
      if (!(input.thumbnail instanceof Uint8Array) || input.thumbnail.length === 0) {
        throw new InvalidInputError('An image needs a thumbnail (got none).');
      }
      const sha256 = createHash('sha256').update(input.bytes).digest('hex');
      const inserted = await sql<ImageRecord>(
        ctx,
        `INSERT INTO images AS i (sha256, bytes, mime, byte_size, width, height, thumbnail, thumbnail_mime,
           filename, source, dataset, split, uploader_voter_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
         ON CONFLICT (sha256) DO NOTHING
         RETURNING ${IMAGE_COLUMNS}`,
        [
          sha256,
          Buffer.from(input.bytes),
          input.mime,
          input.bytes.length,
          input.width,
          input.height,
          Buffer.from(input.thumbnail),
          input.thumbnailMime ?? 'image/webp',
          input.filename ?? null,
          input.source,
          input.dataset ?? null,
          input.split ?? null,
          input.uploaderVoterId ?? null,
        ],
      );
      if (inserted[0]) return { image: inserted[0], created: true };
      // Already stored: keep it, only filling in what was unknown (an upload later imported from a dataset).
      const [existing] = await sql<ImageRecord>(
        ctx,
        `UPDATE images AS i SET
           filename = COALESCE(i.filename, $2),
           source = CASE WHEN i.dataset IS NULL AND $3::text IS NOT NULL THEN 'dataset' ELSE i.source END,
           dataset = COALESCE(i.dataset, $3),
           split = COALESCE(i.split, $4)
         WHERE i.sha256 = $1
         RETURNING ${IMAGE_COLUMNS}`,
        [sha256, input.filename ?? null, input.dataset ?? null, input.split ?? null],
      );
      if (!existing)
        throw new Error(`Image ${sha256} conflicted on insert but was not found; it was deleted meanwhile.`);
      return { image: existing, created: false };
    },

    /**
     * Deletes the image for good; its bytes and thumbnail (columns of the row), captions, ratings, preferences and
     * references go with it (ON DELETE CASCADE). False when there was no such image.
     */
    async deleteById(id: string): Promise<boolean> {
      if (!isUuid(id)) return false;
      const deleted = await sql<{ id: string }>(ctx, 'DELETE FROM images WHERE id = $1::uuid RETURNING id', [id]);
      return deleted.length === 1;
    },

    async getById(id: string): Promise<ImageRecord | null> {
      if (!isUuid(id)) return null;
      const [row] = await sql<ImageRecord>(ctx, `SELECT ${IMAGE_COLUMNS} FROM images i WHERE i.id = $1`, [id]);
      return row ?? null;
    },

    async getByIds(ids: readonly string[]): Promise<ImageRecord[]> {
      const valid = ids.filter(isUuid);
      if (valid.length === 0) return [];
      return sql<ImageRecord>(ctx, `SELECT ${IMAGE_COLUMNS} FROM images i WHERE i.id = ANY($1::uuid[])`, [valid]);
    },

    async getBySha256(sha256: string): Promise<ImageRecord | null> {
      const [row] = await sql<ImageRecord>(ctx, `SELECT ${IMAGE_COLUMNS} FROM images i WHERE i.sha256 = $1`, [
        sha256.toLowerCase(),
      ]);
      return row ?? null;
    },

    async getOriginal(id: string): Promise<StoredBytes | null> {
      if (!isUuid(id)) return null;
      const image = await ctx.prisma.image.findUnique({
        where: { id },
        select: { bytes: true, mime: true, sha256: true },
      });
      return image ? { bytes: Buffer.from(image.bytes), mime: image.mime, sha256: image.sha256 } : null;
    },

    async getThumbnail(id: string): Promise<StoredBytes | null> {
      if (!isUuid(id)) return null;
      const image = await ctx.prisma.image.findUnique({
        where: { id },
        select: { thumbnail: true, thumbnailMime: true, sha256: true },
      });
      return image ? { bytes: Buffer.from(image.thumbnail), mime: image.thumbnailMime, sha256: image.sha256 } : null;
    },

    list: (query: ListImagesQuery = {}) => listImages(ctx, query),
    count: (filter: ImageFilter = {}) => countImages(ctx, filter),

    /** Ids of the split's images that have reference captions, oldest first: an evaluation's image set. */
    async listIdsForEvaluation(options: { split: Split; dataset?: string | null }): Promise<string[]> {
      const rows = await ctx.prisma.image.findMany({
        where: {
          split: options.split,
          ...(options.dataset ? { dataset: options.dataset } : {}),
          references: { some: {} },
        },
        orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
        select: { id: true },
      });
      return rows.map((row) => row.id);
    },

    /** The imported datasets by name, with their images per split (uploads belong to none). */
    async datasets(): Promise<DatasetSummary[]> {
      const rows = await sql<{ name: string; split: Split; images: number; withReferences: number }>(
        ctx,
        `SELECT i.dataset AS name, i.split, count(*)::int AS images,
           (count(*) FILTER (WHERE EXISTS (SELECT 1 FROM reference_captions r WHERE r.image_id = i.id)))::int
             AS "withReferences"
         FROM images i WHERE i.dataset IS NOT NULL AND i.split IS NOT NULL
         GROUP BY i.dataset, i.split ORDER BY i.dataset, array_position(ARRAY['train', 'val', 'test'], i.split)`,
      );
      const byName = new Map<string, DatasetSummary>();
      for (const { name, ...split } of rows) {
        const dataset = byName.get(name) ?? { name, splits: [] };
        dataset.splits.push(split);
        byName.set(name, dataset);
      }
      return [...byName.values()];
    },
  };
}

export type ImagesRepository = ReturnType<typeof imagesRepository>;
