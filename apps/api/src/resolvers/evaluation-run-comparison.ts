// Two evaluation runs side by side (Query.evaluationRunComparison): the images where their captions disagree
// most, resolved through the request's loaders. Parent: the database's CaptionDisagreement.
import { existing } from '../graphql/existing.js';
import { objectResolvers } from '../graphql/object-resolvers.js';

export const CaptionDisagreement = objectResolvers('CaptionDisagreement')({
  image: (d, _, ctx) => existing(ctx.loaders.imageById, d.imageId, 'image'),
  captionA: (d, _, ctx) => existing(ctx.loaders.captionById, d.captionAId, 'caption'),
  captionB: (d, _, ctx) => existing(ctx.loaders.captionById, d.captionBId, 'caption'),
});
