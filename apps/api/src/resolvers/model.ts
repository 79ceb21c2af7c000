// Model fields. Parent: the database's ModelRecord (the manifest as stored); load state from the registry.
import type { ModelRecord } from '@captioner/db';
import type { Context } from '../graphql/context.js';
import { memo } from '../graphql/context.js';

interface ManifestMetrics {
  loss?: number;
  bleu?: number[];
  cider?: number;
  rougeL?: number;
  decode?: { beamSize?: number; maxLength?: number };
}

const manifestOf = (m: ModelRecord) =>
  m.manifest as unknown as {
    maxLength?: number;
    grid?: { rows: number; cols: number };
    metrics?: Record<string, ManifestMetrics>;
  };

export const Model = {
  loaded: (m: ModelRecord, _: unknown, ctx: Context) => !!ctx.services.registry.get(m.id)?.model,
  loadError: (m: ModelRecord, _: unknown, ctx: Context) => {
    const entry = ctx.services.registry.get(m.id);
    return entry ? entry.loadError : 'No model directory with this id under CAPTIONER_MODELS_DIR.';
  },
  maxLength: (m: ModelRecord) => manifestOf(m).maxLength ?? 0,
  vocabSize: (m: ModelRecord, _: unknown, ctx: Context) => ctx.services.registry.get(m.id)?.model?.vocab.length ?? 0,
  grid: (m: ModelRecord) => manifestOf(m).grid ?? { rows: 1, cols: 1 },
  params: (m: ModelRecord) => {
    const p = m.params as { trainable?: number; frozen?: number; total?: number };
    return { trainable: p.trainable ?? 0, frozen: p.frozen ?? 0, total: p.total ?? 0 };
  },
  trainingMetrics: (m: ModelRecord) =>
    Object.entries(manifestOf(m).metrics ?? {})
      .filter(([split]) => split === 'train' || split === 'val' || split === 'test')
      .map(([split, metrics]) => ({
        split,
        loss: metrics.loss ?? null,
        bleu: metrics.bleu ?? [],
        // Manifests exported before CIDEr-D and ROUGE-L lack them: unknown, not 0.
        cider: metrics.cider ?? null,
        rougeL: metrics.rougeL ?? null,
        decode: {
          beamSize: metrics.decode?.beamSize ?? 1,
          maxLength: metrics.decode?.maxLength ?? manifestOf(m).maxLength ?? 0,
        },
      })),
  async captionCount(m: ModelRecord, _: unknown, ctx: Context) {
    const counts = await memo(ctx, 'captionCounts', () => ctx.services.db.models.captionCounts());
    return counts.get(m.id) ?? 0;
  },
};
