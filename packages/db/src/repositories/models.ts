// Captioning models as registered from their manifest.json (models/<id>/, see models/README.md).
import { run, type DbContext } from '../context.js';
import { MODEL_SELECT } from '../columns.js';
import { InvalidInputError } from '../errors.js';
import { modelsByIds } from '../sql/batch-loads.js';
import type { JsonObject, ModelRecord } from '../types.js';

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The stored row with its JSON columns typed as the record says (they are only ever written as objects). */
const toRecord = (row: { variant: string; manifest: unknown; params: unknown; metrics: unknown }) =>
  row as unknown as ModelRecord;

export function modelsRepository(ctx: DbContext) {
  return {
    /** Registers the model or refreshes its stored manifest (the files may have been retrained). */
    async upsertFromManifest(manifest: unknown): Promise<ModelRecord> {
      if (!isObject(manifest)) throw new InvalidInputError('A model manifest must be a JSON object.');
      const { id, variant, format, dataset, params, metrics } = manifest;
      const datasetName = isObject(dataset) ? dataset.name : dataset;
      if (typeof id !== 'string' || id === '') throw new InvalidInputError('The manifest has no "id".');
      if (variant !== 'lstm' && variant !== 'attention') {
        throw new InvalidInputError(
          `Manifest ${id}: "variant" must be "lstm" or "attention" (got ${JSON.stringify(variant)}).`,
        );
      }
      if (typeof format !== 'number' || !Number.isInteger(format)) {
        throw new InvalidInputError(`Manifest ${id}: "format" must be an integer.`);
      }
      if (typeof datasetName !== 'string' || datasetName === '') {
        throw new InvalidInputError(`Manifest ${id}: "dataset.name" is missing.`);
      }
      const fields = {
        variant,
        dataset: datasetName,
        format,
        manifest,
        params: isObject(params) ? params : {},
        metrics: isObject(metrics) ? metrics : {},
      };
      // updated_at moves only when the manifest changed (jsonb equality, so key order does not count): marked
      // first, against the stored manifest, then the upsert (INSERT ... ON CONFLICT) writes the fields.
      const [, row] = await run(() =>
        ctx.prisma.$transaction([
          ctx.prisma.model.updateMany({
            where: { id, NOT: { manifest: { equals: manifest } } },
            data: { updatedAt: new Date() },
          }),
          ctx.prisma.model.upsert({
            where: { id },
            create: { id, ...fields },
            update: fields,
            select: MODEL_SELECT,
          }),
        ]),
      );
      return toRecord(row);
    },

    async getById(id: string): Promise<ModelRecord | null> {
      const row = await run(() => ctx.prisma.model.findUnique({ where: { id }, select: MODEL_SELECT }));
      return row ? toRecord(row) : null;
    },

    /** A DataLoader batch read, raw for speed (src/sql/batch-loads.ts). */
    async getByIds(ids: readonly string[]): Promise<ModelRecord[]> {
      return ids.length === 0 ? [] : modelsByIds(ctx, [...ids]);
    },

    async list(): Promise<ModelRecord[]> {
      const rows = await run(() => ctx.prisma.model.findMany({ orderBy: { id: 'asc' }, select: MODEL_SELECT }));
      return rows.map(toRecord);
    },

    /** Number of stored captions per model id (models without captions are absent). */
    async captionCounts(): Promise<Map<string, number>> {
      const rows = await run(() => ctx.prisma.caption.groupBy({ by: ['modelId'], _count: { _all: true } }));
      return new Map(rows.map((row) => [row.modelId, row._count._all]));
    },
  };
}

export type ModelsRepository = ReturnType<typeof modelsRepository>;
