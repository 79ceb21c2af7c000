// Mutation root fields: each returns a payload object.
import type { PreferenceWinner, Split } from '@captioner/db';
import type { Context } from '../graphql/context.js';
import { consumeRateLimit, requireAdmin, requireVoter } from '../graphql/context.js';
import { ApiError, badInput, notFound } from '../errors.js';
import type { DatasetFormat } from '../datasets/read-dataset.js';

export const Mutation = {
  async captionImage(
    _: unknown,
    { input }: { input: { imageId: string; modelId: string; beamSize?: number | null; maxLength?: number | null } },
    ctx: Context,
  ) {
    await consumeRateLimit(ctx, 'caption');
    return ctx.services.captions.captionImage(input, 'interactive');
  },

  async rateCaption(_: unknown, { input }: { input: { captionId: string; stars: number } }, ctx: Context) {
    const voterId = requireVoter(ctx);
    await consumeRateLimit(ctx, 'rating');
    if (!Number.isInteger(input.stars) || input.stars < 1 || input.stars > 5) {
      throw badInput(`stars must be a whole number from 1 to 5; got ${input.stars}.`, 'stars');
    }
    const rating = await ctx.services.db.ratings.rate({ captionId: input.captionId, voterId, stars: input.stars });
    const caption = await ctx.services.db.captions.getById(input.captionId);
    return { rating, caption };
  },

  async recordPreference(
    _: unknown,
    { input }: { input: { imageId: string; captionAId: string; captionBId: string; winner: PreferenceWinner } },
    ctx: Context,
  ) {
    const voterId = requireVoter(ctx);
    await consumeRateLimit(ctx, 'preference');
    if (input.captionAId === input.captionBId)
      throw badInput('captionAId and captionBId must be two different captions.', 'captionBId');
    const preference = await ctx.services.db.preferences.record({ ...input, voterId });
    return { preference };
  },

  async startEvaluationRun(
    _: unknown,
    {
      input,
    }: {
      input: {
        modelId: string;
        split: Split;
        dataset?: string | null;
        beamSize?: number | null;
        maxLength?: number | null;
      };
    },
    ctx: Context,
  ) {
    requireAdmin(ctx, 'startEvaluationRun');
    return ctx.services.evaluations.start(input);
  },

  async importDataset(
    _: unknown,
    {
      input,
    }: {
      input: {
        path: string;
        format?: DatasetFormat | 'auto' | null;
        dataset?: string | null;
        splits?: Split[] | null;
        limit?: number | null;
        caption?: boolean | null;
      };
    },
    ctx: Context,
  ) {
    requireAdmin(ctx, 'importDataset');
    const { format, ...rest } = input;
    const job = await ctx.services.imports.start({ ...rest, ...(format && format !== 'auto' ? { format } : {}) });
    return { job };
  },

  async deleteImage(_: unknown, { id }: { id: string }, ctx: Context) {
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
};

export const Rating = {
  caption: (r: { captionId: string }, _: unknown, ctx: Context) => ctx.loaders.captionById.load(r.captionId),
};

export const Preference = {
  image: (p: { imageId: string }, _: unknown, ctx: Context) => ctx.loaders.imageById.load(p.imageId),
  captionA: (p: { captionAId: string }, _: unknown, ctx: Context) => ctx.loaders.captionById.load(p.captionAId),
  captionB: (p: { captionBId: string }, _: unknown, ctx: Context) => ctx.loaders.captionById.load(p.captionBId),
};
