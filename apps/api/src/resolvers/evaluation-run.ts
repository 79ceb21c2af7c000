// EvaluationRun fields. Parent: the database's EvaluationRunRecord.
import type { EvaluationRunRecord } from '@captioner/db';
import type { Context } from '../graphql/context.js';

export const EvaluationRun = {
  model: (r: EvaluationRunRecord, _: unknown, ctx: Context) => ctx.loaders.modelById.load(r.modelId),
  decode: (r: EvaluationRunRecord) => ({
    beamSize: Number(r.settings.beamSize),
    maxLength: Number(r.settings.maxLength),
  }),
  progress: (r: EvaluationRunRecord) => (r.total > 0 ? r.done / r.total : r.status === 'succeeded' ? 1 : 0),
  processed: (r: EvaluationRunRecord) => r.done,
};
