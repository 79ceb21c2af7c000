// Captioning models as registered from their manifest.json (models/<id>/, see models/README.md).
import { sql, type DbContext } from '../context.js';
import { InvalidInputError } from '../errors.js';
import type { JsonObject, ModelRecord } from '../types.js';

const MODEL_COLUMNS = `m.id, m.variant, m.dataset, m.format, m.manifest, m.params, m.metrics,
  m.created_at AS "createdAt", m.updated_at AS "updatedAt"`;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

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
      const [row] = await sql<ModelRecord>(
        ctx,
        `INSERT INTO models AS m (id, variant, dataset, format, manifest, params, metrics)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (id) DO UPDATE SET variant = excluded.variant, dataset = excluded.dataset,
           format = excluded.format, manifest = excluded.manifest, params = excluded.params,
           metrics = excluded.metrics,
           updated_at = CASE WHEN m.manifest IS DISTINCT FROM excluded.manifest THEN now() ELSE m.updated_at END
         RETURNING ${MODEL_COLUMNS}`,
        [
          id,
          variant,
          datasetName,
          format,
          JSON.stringify(manifest),
          JSON.stringify(isObject(params) ? params : {}),
          JSON.stringify(isObject(metrics) ? metrics : {}),
        ],
      );
      return row as ModelRecord;
    },

    async getById(id: string): Promise<ModelRecord | null> {
      const [row] = await sql<ModelRecord>(ctx, `SELECT ${MODEL_COLUMNS} FROM models m WHERE m.id = $1`, [id]);
      return row ?? null;
    },

    async getByIds(ids: readonly string[]): Promise<ModelRecord[]> {
      if (ids.length === 0) return [];
      return sql<ModelRecord>(ctx, `SELECT ${MODEL_COLUMNS} FROM models m WHERE m.id = ANY($1::text[])`, [ids]);
    },

    list(): Promise<ModelRecord[]> {
      return sql<ModelRecord>(ctx, `SELECT ${MODEL_COLUMNS} FROM models m ORDER BY m.id`);
    },

    /** Number of stored captions per model id (models without captions are absent). */
    async captionCounts(): Promise<Map<string, number>> {
      const rows = await ctx.prisma.caption.groupBy({ by: ['modelId'], _count: { _all: true } });
      return new Map(rows.map((row) => [row.modelId, row._count._all]));
    },
  };
}

export type ModelsRepository = ReturnType<typeof modelsRepository>;
