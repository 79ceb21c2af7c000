// Human reference captions of an image (from a dataset), in dataset order.
import { isUuid, run, type DbContext } from '../context.js';
import { REFERENCE_SELECT } from '../columns.js';
import { NotFoundError } from '../errors.js';
import { referencesOfImages } from '../sql/batch-loads.js';
import type { ReferenceRecord, Split } from '../types.js';

const IN_ORDER = [{ position: 'asc' }, { id: 'asc' }] as const;

export function referencesRepository(ctx: DbContext) {
  return {
    /** Adds the texts not stored yet (blank ones skipped); returns how many were added. Re-running is a no-op. */
    async add(imageId: string, texts: readonly string[]): Promise<number> {
      if (!isUuid(imageId)) throw new NotFoundError('image', imageId);
      const clean = [...new Set(texts.map((text) => text.trim()).filter((text) => text !== ''))];
      if (clean.length === 0) return 0;
      // Positions continue after the ones stored, in the order given. Texts stored already are skipped here and,
      // should a concurrent call store one meanwhile, by ON CONFLICT DO NOTHING (skipDuplicates). Two concurrent
      // calls for one image may number from the same maximum (as the single INSERT ... SELECT before did); equal
      // positions then keep insertion order through the id tiebreak.
      const stored = await run(() =>
        ctx.prisma.referenceCaption.findMany({ where: { imageId, text: { in: clean } }, select: { text: true } }),
      );
      const known = new Set(stored.map((row) => row.text));
      const added = clean.filter((text) => !known.has(text));
      if (added.length === 0) return 0;
      const last = await run(() =>
        ctx.prisma.referenceCaption.aggregate({ where: { imageId }, _max: { position: true } }),
      );
      const next = (last._max.position ?? -1) + 1;
      const { count } = await run(
        () =>
          ctx.prisma.referenceCaption.createMany({
            data: added.map((text, index) => ({ imageId, text, position: next + index })),
            skipDuplicates: true,
          }),
        { image: imageId },
      );
      return count;
    },

    async listByImage(imageId: string): Promise<ReferenceRecord[]> {
      if (!isUuid(imageId)) return [];
      return run(() =>
        ctx.prisma.referenceCaption.findMany({ where: { imageId }, orderBy: [...IN_ORDER], select: REFERENCE_SELECT }),
      );
    },

    /** In dataset order within each image (a DataLoader batch read, raw for speed: src/sql/batch-loads.ts). */
    async listByImages(imageIds: readonly string[]): Promise<ReferenceRecord[]> {
      const valid = imageIds.filter(isUuid);
      return valid.length === 0 ? [] : referencesOfImages(ctx, valid);
    },

    /** The reference texts of every image of a dataset split, one list per image: a corpus metric's references. */
    async listBySplit(where: { dataset: string; split: Split }): Promise<string[][]> {
      const rows = await run(() =>
        ctx.prisma.referenceCaption.findMany({
          where: { image: { dataset: where.dataset, split: where.split } },
          orderBy: [{ imageId: 'asc' }, ...IN_ORDER],
          select: { imageId: true, text: true },
        }),
      );
      const byImage = new Map<string, string[]>();
      for (const row of rows) {
        const texts = byImage.get(row.imageId);
        if (texts) texts.push(row.text);
        else byImage.set(row.imageId, [row.text]);
      }
      return [...byImage.values()];
    },

    /**
     * A version of a dataset split's references that changes whenever one is added or removed (their count and
     * newest creation time), so a cache of something computed from them can tell it is stale.
     */
    async splitVersion(where: { dataset: string; split: Split }): Promise<string> {
      const stats = await run(() =>
        ctx.prisma.referenceCaption.aggregate({
          where: { image: { dataset: where.dataset, split: where.split } },
          _count: { _all: true },
          _max: { createdAt: true },
        }),
      );
      return `${stats._count._all}@${stats._max.createdAt?.toISOString() ?? '-'}`;
    },
  };
}

export type ReferencesRepository = ReturnType<typeof referencesRepository>;
