// Images: store (deduplicated by SHA-256), read without or with their bytes, pick evaluation sets, list datasets.
import { createHash } from 'node:crypto';
import type { Prisma } from '../../generated/prisma/client.js';
import { IMAGE_SELECT } from '../columns.js';
import { isUuid, run, type DbContext } from '../context.js';
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
import { countImages, listImages } from '../sql/gallery.js';

const SPLIT_ORDER: readonly Split[] = ['train', 'val', 'test'];

// source and split are written only from the ImageSource / Split unions (and CHECKed by the database).
const toRecord = (row: Prisma.ImageGetPayload<{ select: typeof IMAGE_SELECT }>) => row as ImageRecord;

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
      // INSERT ... ON CONFLICT (sha256) DO NOTHING RETURNING: nothing comes back when the bytes are stored already.
      const [inserted] = await run(() =>
        ctx.prisma.image.createManyAndReturn({
          data: {
            sha256,
            bytes: Buffer.from(input.bytes),
            mime: input.mime,
            byteSize: input.bytes.length,
            width: input.width,
            height: input.height,
            thumbnail: Buffer.from(input.thumbnail),
            thumbnailMime: input.thumbnailMime ?? 'image/webp',
            filename: input.filename ?? null,
            source: input.source,
            dataset: input.dataset ?? null,
            split: input.split ?? null,
            uploaderVoterId: input.uploaderVoterId ?? null,
          },
          skipDuplicates: true,
          select: IMAGE_SELECT,
        }),
      );
      if (inserted) return { image: toRecord(inserted), created: true };
      // Already stored: keep it, only filling in what was unknown (an upload later imported from a dataset).
      // Each fill-in applies only while its column is still NULL, so concurrent importers cannot overwrite.
      const fillIns: Prisma.PrismaPromise<Prisma.BatchPayload>[] = [];
      if (input.filename) {
        fillIns.push(
          ctx.prisma.image.updateMany({ where: { sha256, filename: null }, data: { filename: input.filename } }),
        );
      }
      if (input.dataset) {
        fillIns.push(
          ctx.prisma.image.updateMany({
            where: { sha256, dataset: null },
            data: { dataset: input.dataset, source: 'dataset' },
          }),
        );
      }
      if (input.split) {
        fillIns.push(ctx.prisma.image.updateMany({ where: { sha256, split: null }, data: { split: input.split } }));
      }
      await run(() => Promise.all(fillIns));
      const existing = await run(() => ctx.prisma.image.findUnique({ where: { sha256 }, select: IMAGE_SELECT }));
      if (!existing) {
        throw new Error(`Image ${sha256} conflicted on insert but was not found; it was deleted meanwhile.`);
      }
      return { image: toRecord(existing), created: false };
    },

    /**
     * Deletes the image for good; its bytes and thumbnail (columns of the row), captions, ratings, preferences and
     * references go with it (ON DELETE CASCADE). False when there was no such image.
     */
    async deleteById(id: string): Promise<boolean> {
      if (!isUuid(id)) return false;
      const { count } = await run(() => ctx.prisma.image.deleteMany({ where: { id } }));
      return count === 1;
    },

    async getById(id: string): Promise<ImageRecord | null> {
      if (!isUuid(id)) return null;
      const row = await run(() => ctx.prisma.image.findUnique({ where: { id }, select: IMAGE_SELECT }));
      return row ? toRecord(row) : null;
    },

    async getByIds(ids: readonly string[]): Promise<ImageRecord[]> {
      const valid = ids.filter(isUuid);
      if (valid.length === 0) return [];
      const rows = await run(() => ctx.prisma.image.findMany({ where: { id: { in: valid } }, select: IMAGE_SELECT }));
      return rows.map(toRecord);
    },

    async getBySha256(sha256: string): Promise<ImageRecord | null> {
      const row = await run(() =>
        ctx.prisma.image.findUnique({ where: { sha256: sha256.toLowerCase() }, select: IMAGE_SELECT }),
      );
      return row ? toRecord(row) : null;
    },

    async getOriginal(id: string): Promise<StoredBytes | null> {
      if (!isUuid(id)) return null;
      const image = await run(() =>
        ctx.prisma.image.findUnique({ where: { id }, select: { bytes: true, mime: true, sha256: true } }),
      );
      return image ? { bytes: Buffer.from(image.bytes), mime: image.mime, sha256: image.sha256 } : null;
    },

    async getThumbnail(id: string): Promise<StoredBytes | null> {
      if (!isUuid(id)) return null;
      const image = await run(() =>
        ctx.prisma.image.findUnique({ where: { id }, select: { thumbnail: true, thumbnailMime: true, sha256: true } }),
      );
      return image ? { bytes: Buffer.from(image.thumbnail), mime: image.thumbnailMime, sha256: image.sha256 } : null;
    },

    list: (query: ListImagesQuery = {}) => listImages(ctx, query),
    count: (filter: ImageFilter = {}) => countImages(ctx, filter),

    /** Ids of the split's images that have reference captions, oldest first: an evaluation's image set. */
    async listIdsForEvaluation(options: { split: Split; dataset?: string | null }): Promise<string[]> {
      const rows = await run(() =>
        ctx.prisma.image.findMany({
          where: {
            split: options.split,
            ...(options.dataset ? { dataset: options.dataset } : {}),
            references: { some: {} },
          },
          orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
          select: { id: true },
        }),
      );
      return rows.map((row) => row.id);
    },

    /** The imported datasets by name, with their images per split (uploads belong to none). */
    async datasets(): Promise<DatasetSummary[]> {
      const inDataset = { dataset: { not: null }, split: { not: null } } as const;
      const [all, withReferences] = await run(() =>
        Promise.all([
          ctx.prisma.image.groupBy({
            by: ['dataset', 'split'],
            where: inDataset,
            _count: { _all: true },
            orderBy: { dataset: 'asc' },
          }),
          ctx.prisma.image.groupBy({
            by: ['dataset', 'split'],
            where: { ...inDataset, references: { some: {} } },
            _count: { _all: true },
            orderBy: { dataset: 'asc' },
          }),
        ]),
      );
      const key = (row: { dataset: string | null; split: string | null }) => `${row.dataset}\u0000${row.split}`;
      const referenced = new Map(withReferences.map((row) => [key(row), row._count._all]));
      const byName = new Map<string, DatasetSummary>();
      for (const row of all) {
        const name = row.dataset as string;
        const dataset = byName.get(name) ?? { name, splits: [] };
        dataset.splits.push({
          split: row.split as Split,
          images: row._count._all,
          withReferences: referenced.get(key(row)) ?? 0,
        });
        byName.set(name, dataset);
      }
      for (const dataset of byName.values()) {
        dataset.splits.sort((a, b) => SPLIT_ORDER.indexOf(a.split) - SPLIT_ORDER.indexOf(b.split));
      }
      return [...byName.values()];
    },
  };
}

export type ImagesRepository = ReturnType<typeof imagesRepository>;
