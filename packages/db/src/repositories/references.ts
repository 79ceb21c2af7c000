// Human reference captions of an image (from a dataset), in dataset order.
import { isUuid, run, type DbContext } from '../context.js';
import { REFERENCE_SELECT } from '../columns.js';
import { NotFoundError } from '../errors.js';
import type { ReferenceRecord, Split } from '../types.js';

const IN_ORDER = [{ position: 'asc' }, { id: 'asc' }] as const;

export function referencesRepository(ctx: DbContext) {
  return {
    /** Adds the texts not stored yet (blank ones skipped); returns how many were added. Re-running is a no-op. */
    async add(imageId: string, texts: readonly string[]): Promise<number> {
      if (!isUuid(imageId)) throw new NotFoundError('image', imageId);
      const clean = [...new Set(texts.map((text) => text.trim()).filter((text) => text !== ''))];
      if (clean.length === 0) return 0;
      // Positions continue after the ones stored, in the order given; texts already stored are skipped here
      // and, should a concurrent call store one meanwhile, by ON CONFLICT DO NOTHING (skipDuplicates).
      return run(
        () =>
          ctx.prisma.$transaction(async (tx) => {
            const stored = await tx.referenceCaption.findMany({
              where: { imageId, text: { in: clean } },
              select: { text: true },
            });
            const last = await tx.referenceCaption.aggregate({ where: { imageId }, _max: { position: true } });
            const known = new Set(stored.map((row) => row.text));
            const next = (last._max.position ?? -1) + 1;
            const added = clean.filter((text) => !known.has(text));
            if (added.length === 0) return 0;
            const { count } = await tx.referenceCaption.createMany({
              data: added.map((text, index) => ({ imageId, text, position: next + index })),
              skipDuplicates: true,
            });
            return count;
          }),
        { image: imageId },
      );
    },

    async listByImage(imageId: string): Promise<ReferenceRecord[]> {
      if (!isUuid(imageId)) return [];
      return run(() =>
        ctx.prisma.referenceCaption.findMany({ where: { imageId }, orderBy: [...IN_ORDER], select: REFERENCE_SELECT }),
      );
    },

    async listByImages(imageIds: readonly string[]): Promise<ReferenceRecord[]> {
      const valid = imageIds.filter(isUuid);
      if (valid.length === 0) return [];
      return run(() =>
        ctx.prisma.referenceCaption.findMany({
          where: { imageId: { in: valid } },
          orderBy: [{ imageId: 'asc' }, ...IN_ORDER],
          select: REFERENCE_SELECT,
        }),
      );
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
