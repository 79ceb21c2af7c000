// Image fields. Parent: the database's ImageRecord (or GalleryImage from a gallery page).
import type { CaptionSummary } from '@captioner/db';
import type { Context } from '../graphql/context.js';
import { objectResolvers } from '../graphql/object-resolvers.js';

/** One caption per model: the default-settings one when present, else the newest (input is newest first). */
function onePerModel(captions: readonly CaptionSummary[], ctx: Context): CaptionSummary[] {
  const isDefault = (caption: CaptionSummary) => {
    const model = ctx.services.registry.get(caption.modelId)?.model;
    return (
      !!model &&
      Number(caption.settings.beamSize) === ctx.services.config.defaultBeamSize &&
      Number(caption.settings.maxLength) === model.manifest.maxLength
    );
  };
  const byModel = new Map<string, CaptionSummary[]>();
  for (const c of captions) byModel.set(c.modelId, [...(byModel.get(c.modelId) ?? []), c]);
  return [...byModel.keys()].sort().map((modelId) => {
    const list = byModel.get(modelId)!;
    return list.find(isDefault) ?? list[0]!;
  });
}

export const Image = objectResolvers('Image')({
  mimeType: (image) => image.mime,
  uploadedByMe: (image, _, ctx) => ctx.voterId !== null && image.uploaderVoterId === ctx.voterId,
  originalUrl: (image) => `/media/images/${image.id}/original`,
  thumbnailUrl: (image) => `/media/images/${image.id}/thumbnail`,
  async references(image, _, ctx) {
    return (await ctx.loaders.referencesByImageId.load(image.id)).map((r) => r.text);
  },
  async captions(image, args, ctx) {
    let captions = await ctx.loaders.captionSummariesByImageId.load(image.id);
    if (args.modelId) captions = captions.filter((c) => c.modelId === args.modelId);
    return args.all ? captions : onePerModel(captions, ctx);
  },
  captioningPending: (image, _, ctx) => ctx.captioningPending.load(image.id),
  async meanRating(image, _, ctx) {
    return (await ctx.loaders.imageStatsById.load(image.id))?.meanRating ?? null;
  },
  async bestBleu(image, _, ctx) {
    return (await ctx.loaders.imageStatsById.load(image.id))?.bestBleu ?? null;
  },
});
