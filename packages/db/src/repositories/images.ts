// Images: store (deduplicated by SHA-256), read without or with their bytes, pick evaluation sets, list datasets.
import { createHash } from 'node:crypto';
import type { Prisma } from '../../generated/prisma/client.js';
import { IMAGE_SELECT } from '../columns.js';
import { isUuid, run, type DbContext } from '../context.js';
import { ImageStorageError, InvalidInputError } from '../errors.js';
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
import type { ImageLocation } from '../storage/object-store.js';
import type { ImagePlacement } from '../storage/image-placement.js';

const SPLIT_ORDER: readonly Split[] = ['train', 'val', 'test'];

// source and split are written only from the ImageSource / Split unions (and CHECKed by the database).
const toRecord = (row: Prisma.ImageGetPayload<{ select: typeof IMAGE_SELECT }>) => row as ImageRecord;

export function imagesRepository(ctx: DbContext, placement: ImagePlacement) {
  /** The row's columns but the bytes' location. */
  const rowData = (sha256: string, input: NewImage) => ({
    sha256,
    mime: input.mime,
    byteSize: input.bytes.length,
    width: input.width,
    height: input.height,
    thumbnailMime: input.thumbnailMime ?? 'image/webp',
    filename: input.filename ?? null,
    source: input.source,
    dataset: input.dataset ?? null,
    split: input.split ?? null,
    uploaderVoterId: input.uploaderVoterId ?? null,
  });

  /**
   * INSERT ... ON CONFLICT (sha256) DO NOTHING RETURNING, the bytes in the row: nothing comes back when the bytes
   * are stored already.
   */
  async function insertInRow(sha256: string, input: NewImage): Promise<ImageRecord | undefined> {
    const data = {
      ...rowData(sha256, input),
      storage: 'postgres',
      bytes: Buffer.from(input.bytes),
      thumbnail: Buffer.from(input.thumbnail),
    };
    const [row] = await run(() =>
      ctx.prisma.image.createManyAndReturn({ data, skipDuplicates: true, select: IMAGE_SELECT }),
    );
    return row ? toRecord(row) : undefined;
  }

  /**
   * The same with the bytes in object storage: objects are written (and checked) only for bytes not stored yet,
   * then the INSERT claims their key in one transaction. When a concurrent upload of the same bytes inserted first,
   * the objects written here are released.
   */
  async function insertWithObjects(sha256: string, input: NewImage): Promise<ImageRecord | undefined> {
    const known = await run(() => ctx.prisma.image.findUnique({ where: { sha256 }, select: { id: true } }));
    if (known) return undefined;
    const objectKey = await placement.writeObjects(
      sha256,
      sha256,
      { bytes: Buffer.from(input.bytes), mime: input.mime },
      { bytes: Buffer.from(input.thumbnail), mime: input.thumbnailMime ?? 'image/webp' },
    );
    const data = { ...rowData(sha256, input), storage: 's3', objectKey };
    const outcome = await run(() =>
      ctx.prisma.$transaction(async (tx) => {
        const { count } = await tx.imageObjectDeletion.deleteMany({ where: { objectKey } });
        // Only a drain deletes the record without us, and only after an hour: the objects may be gone.
        if (count !== 1) return 'reclaimed' as const;
        const [row] = await tx.image.createManyAndReturn({ data, skipDuplicates: true, select: IMAGE_SELECT });
        if (!row) throw new DuplicateInsert();
        return toRecord(row);
      }),
    ).catch((error: unknown) => {
      if (error instanceof DuplicateInsert) return 'duplicate' as const;
      throw error;
    });
    if (outcome === 'reclaimed') {
      throw new ImageStorageError(
        `Storing image ${sha256} took so long that its objects (${objectKey}) were cleaned up as abandoned; store it again.`,
      );
    }
    if (outcome === 'duplicate') {
      await placement.release(objectKey);
      return undefined;
    }
    return outcome;
  }

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
      const inserted =
        placement.target === 'postgres' ? await insertInRow(sha256, input) : await insertWithObjects(sha256, input);
      if (inserted) return { image: inserted, created: true };
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
     * Deletes the image for good; its captions, ratings, preferences and references go with it (ON DELETE CASCADE),
     * its bytes with the row or, in object storage, recorded for deletion in the same transaction and deleted right
     * after (a failure there leaves them to the next drain). False when there was no such image.
     */
    async deleteById(id: string): Promise<boolean> {
      if (!isUuid(id)) return false;
      for (;;) {
        const outcome = await run(() =>
          ctx.prisma.$transaction(async (tx) => {
            const row = await tx.image.findUnique({ where: { id }, select: { objectKey: true } });
            if (!row) return 'none' as const;
            // Only this exact placement: if a storage move switched the row meanwhile nothing is deleted; read again.
            const { count } = await tx.image.deleteMany({ where: { id, objectKey: row.objectKey } });
            if (count !== 1) return 'changed' as const;
            if (row.objectKey) await tx.imageObjectDeletion.create({ data: { objectKey: row.objectKey } });
            return row;
          }),
        );
        if (outcome === 'none') return false;
        if (outcome === 'changed') continue;
        if (outcome.objectKey) await placement.drain([outcome.objectKey]).catch(() => 0);
        return true;
      }
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
      const row = await run(() =>
        ctx.prisma.image.findUnique({
          where: { id },
          select: { id: true, bytes: true, mime: true, sha256: true, storage: true, objectKey: true },
        }),
      );
      return row ? { bytes: await placement.read(row, 'original'), mime: row.mime, sha256: row.sha256 } : null;
    },

    async getThumbnail(id: string): Promise<StoredBytes | null> {
      if (!isUuid(id)) return null;
      const row = await run(() =>
        ctx.prisma.image.findUnique({
          where: { id },
          select: { id: true, thumbnail: true, thumbnailMime: true, sha256: true, storage: true, objectKey: true },
        }),
      );
      return row
        ? { bytes: await placement.read(row, 'thumbnail'), mime: row.thumbnailMime, sha256: row.sha256 }
        : null;
    },

    /** Images per storage location (for the storage migration's progress). */
    async countByStorage(): Promise<Record<ImageLocation, number>> {
      const groups = await run(() => ctx.prisma.image.groupBy({ by: ['storage'], _count: { _all: true } }));
      const counts: Record<ImageLocation, number> = { postgres: 0, s3: 0 };
      for (const group of groups) counts[group.storage as ImageLocation] = group._count._all;
      return counts;
    },

    /** Ids of images stored in `storage`, in id order after `afterId` (keyset pages for the storage migration). */
    async idsStoredIn(storage: ImageLocation, options: { afterId?: string | null; limit: number }): Promise<string[]> {
      const rows = await run(() =>
        ctx.prisma.image.findMany({
          where: { storage, ...(options.afterId ? { id: { gt: options.afterId } } : {}) },
          orderBy: { id: 'asc' },
          take: options.limit,
          select: { id: true },
        }),
      );
      return rows.map((row) => row.id);
    },

    /** Moves one image's bytes and thumbnail to `to` (see storage/image-placement.ts): never loses them. */
    moveBytes: (id: string, to: ImageLocation) => placement.move(id, to),

    /** Deletes the objects of deleted or moved images that are still due (after a crash or an S3 outage). */
    drainObjectDeletions: () => placement.drain(),

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

/** The concurrent INSERT of the same bytes won; the objects written for this one are released. */
class DuplicateInsert extends Error {}
