// Two evaluation runs side by side (Query.evaluationRunComparison): the images where their captions disagree
// most, resolved through the request's loaders. Parent: what Query.evaluationRunComparison returns.
import type { CaptionDisagreement as CaptionDisagreementRecord } from '@captioner/db';
import type { Context } from '../graphql/context.js';

export const CaptionDisagreement = {
  image: (d: CaptionDisagreementRecord, _: unknown, ctx: Context) => ctx.loaders.imageById.load(d.imageId),
  captionA: (d: CaptionDisagreementRecord, _: unknown, ctx: Context) => ctx.loaders.captionById.load(d.captionAId),
  captionB: (d: CaptionDisagreementRecord, _: unknown, ctx: Context) => ctx.loaders.captionById.load(d.captionBId),
};
