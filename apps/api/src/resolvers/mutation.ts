// Mutation root fields: each returns a payload object.
import { STARS } from '@captioner/db';
import { consumeRateLimit, requireAdmin, requireVoter } from '../graphql/context.js';
import { existing } from '../graphql/existing.js';
import { objectResolvers } from '../graphql/object-resolvers.js';
import { ApiError, badInput, notFound } from '../errors.js';

export const Mutation = objectResolvers('Mutation')({
  async captionImage(_, { input }, ctx) {
    await consumeRateLimit(ctx, 'caption');
    return ctx.services.captions.captionImage(input, 'interactive');
  },

  async rateCaption(_, { input }, ctx) {
    const voterId = requireVoter(ctx);
    await consumeRateLimit(ctx, 'rating');
    if (!Number.isInteger(input.stars) || input.stars < STARS.min || input.stars > STARS.max) {
      throw badInput(`stars must be a whole number from ${STARS.min} to ${STARS.max}; got ${input.stars}.`, 'stars');
    }
    const rating = await ctx.services.db.ratings.rate({ captionId: input.captionId, voterId, stars: input.stars });
    const caption = await existing(ctx.loaders.captionById, input.captionId, 'caption');
    return { rating, caption };
  },

  async recordPreference(_, { input }, ctx) {
    const voterId = requireVoter(ctx);
    await consumeRateLimit(ctx, 'preference');
    if (input.captionAId === input.captionBId)
      throw badInput('captionAId and captionBId must be two different captions.', 'captionBId');
    const preference = await ctx.services.db.preferences.record({ ...input, voterId });
    return { preference };
  },

  async startEvaluationRun(_, { input }, ctx) {
    requireAdmin(ctx, 'startEvaluationRun');
    return ctx.services.evaluations.start(input);
  },

  async importDataset(_, { input }, ctx) {
    requireAdmin(ctx, 'importDataset');
    const { format, ...rest } = input;
    const job = await ctx.services.imports.start({ ...rest, ...(format && format !== 'auto' ? { format } : {}) });
    return { job };
  },

  async deleteImage(_, { id }, ctx) {
    const image = await ctx.services.db.images.getById(id);
    if (!image) throw notFound('image', id);
    const ownUpload = ctx.voterId !== null && image.uploaderVoterId === ctx.voterId;
    if (!ownUpload && ctx.admin !== 'admin') {
      throw new ApiError(
        'FORBIDDEN',
        'Only the voter session that uploaded this image, or an admin (Authorization: Bearer <admin token>), may delete it; nothing was deleted.',
      );
    }
    if (!(await ctx.services.db.images.deleteById(id))) throw notFound('image', id);
    return { deletedImageId: id };
  },
});

export const Rating = objectResolvers('Rating')({
  caption: (r, _, ctx) => existing(ctx.loaders.captionById, r.captionId, 'caption'),
});

export const Preference = objectResolvers('Preference')({
  image: (p, _, ctx) => existing(ctx.loaders.imageById, p.imageId, 'image'),
  captionA: (p, _, ctx) => existing(ctx.loaders.captionById, p.captionAId, 'caption'),
  captionB: (p, _, ctx) => existing(ctx.loaders.captionById, p.captionBId, 'caption'),
});
