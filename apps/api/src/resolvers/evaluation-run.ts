// EvaluationRun fields. Parent: the database's EvaluationRunRecord.
import { existing } from '../graphql/existing.js';
import { objectResolvers } from '../graphql/object-resolvers.js';

export const EvaluationRun = objectResolvers('EvaluationRun')({
  model: (r, _, ctx) => existing(ctx.loaders.modelById, r.modelId, 'model'),
  decode: (r) => ({
    beamSize: Number(r.settings.beamSize),
    maxLength: Number(r.settings.maxLength),
  }),
  progress: (r) => (r.total > 0 ? r.done / r.total : r.status === 'succeeded' ? 1 : 0),
  processed: (r) => r.done,
});
