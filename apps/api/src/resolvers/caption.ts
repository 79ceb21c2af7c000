// Caption fields. Parent: the database's CaptionRecord, or a CaptionSummary (gallery lists) whose nBest and
// attention are loaded only when a query selects them.
import type { CaptionDetails } from '@captioner/db';
import type { Context } from '../graphql/context.js';
import type { CaptionParent } from '../graphql/mappers.js';
import { existing } from '../graphql/existing.js';
import { objectResolvers } from '../graphql/object-resolvers.js';
import type { Attention, Hypothesis } from '../generated/graphql.js';
import { captionCiderD, captionRougeL } from '../metrics/caption-scores.js';

async function details(c: CaptionParent, ctx: Context): Promise<Pick<CaptionDetails, 'nBest' | 'attention'>> {
  if ('nBest' in c) return c;
  return (await ctx.loaders.captionDetailsById.load(c.id)) ?? { nBest: [], attention: null };
}

export const Caption = objectResolvers('Caption')({
  image: (c, _, ctx) => existing(ctx.loaders.imageById, c.imageId, 'image'),
  model: (c, _, ctx) => existing(ctx.loaders.modelById, c.modelId, 'model'),
  // The JSON columns hold what caption-service.ts stored: Hypothesis and Attention as the schema shapes them.
  async nBest(c, _, ctx) {
    const { nBest } = await details(c, ctx);
    return Array.isArray(nBest) ? (nBest as unknown as Hypothesis[]) : [];
  },
  async attention(c, _, ctx) {
    return ((await details(c, ctx)).attention as unknown as Attention | null) ?? null;
  },
  sentenceRougeL: (c, _, ctx) => captionRougeL(c, ctx),
  sentenceCiderD: (c, _, ctx) => captionCiderD(c, ctx),
  decode: (c) => ({ beamSize: Number(c.settings.beamSize), maxLength: Number(c.settings.maxLength) }),
  ratings: (c, _, ctx) => ctx.loaders.ratingSummaryByCaptionId.load(c.id),
  myRating: (c, _, ctx) => (ctx.voterId ? ctx.loaders.myRatingByCaptionId.load(c.id) : null),
});
