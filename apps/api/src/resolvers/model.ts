// Model fields. Parent: the database's ModelRecord (the manifest as stored); load state from the registry.
import type { ModelRecord } from '@captioner/db';
import { memo } from '../graphql/context.js';
import { objectResolvers } from '../graphql/object-resolvers.js';
import type { Split } from '../generated/graphql.js';

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

const isSplit = (key: string): key is Split => key === 'train' || key === 'val' || key === 'test';

export const Model = objectResolvers('Model')({
  loaded: (m, _, ctx) => !!ctx.services.registry.get(m.id)?.model,
  loadError: (m, _, ctx) => {
    const entry = ctx.services.registry.get(m.id);
    return entry ? entry.loadError : 'No model directory with this id under CAPTIONER_MODELS_DIR.';
  },
  maxLength: (m) => manifestOf(m).maxLength ?? 0,
  vocabSize: (m, _, ctx) => ctx.services.registry.get(m.id)?.model?.vocab.length ?? 0,
  grid: (m) => manifestOf(m).grid ?? { rows: 1, cols: 1 },
  params: (m) => {
    const p = m.params as { trainable?: number; frozen?: number; total?: number };
    return { trainable: p.trainable ?? 0, frozen: p.frozen ?? 0, total: p.total ?? 0 };
  },
  trainingMetrics: (m) =>
    Object.entries(manifestOf(m).metrics ?? {})
      .filter((entry): entry is [Split, ManifestMetrics] => isSplit(entry[0]))
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
  async captionCount(m, _, ctx) {
    const counts = await memo(ctx, 'captionCounts', () => ctx.services.db.models.captionCounts());
    return counts.get(m.id) ?? 0;
  },
});
