// Caption fields. Parent: the database's CaptionRecord, or a CaptionSummary (gallery lists) whose nBest and
// attention are loaded only when a query selects them.
import type { CaptionDetails, CaptionRecord, CaptionSummary } from '@captioner/db';
import type { Context } from '../graphql/context.js';
import type { StoredAttention } from '../captioning/caption-service.js';
import { captionCiderD, captionRougeL } from '../metrics/caption-scores.js';

export interface StoredHypothesis {
  text: string;
  tokens: string[];
  logProb: number;
  score: number;
}

type CaptionParent = CaptionRecord | CaptionSummary;

async function details(c: CaptionParent, ctx: Context): Promise<Pick<CaptionDetails, 'nBest' | 'attention'>> {
  if ('nBest' in c) return c;
  return (await ctx.loaders.captionDetailsById.load(c.id)) ?? { nBest: [], attention: null };
}

export const Caption = {
  image: (c: CaptionParent, _: unknown, ctx: Context) => ctx.loaders.imageById.load(c.imageId),
  model: (c: CaptionParent, _: unknown, ctx: Context) => ctx.loaders.modelById.load(c.modelId),
  async nBest(c: CaptionParent, _: unknown, ctx: Context) {
    const { nBest } = await details(c, ctx);
    return Array.isArray(nBest) ? (nBest as unknown as StoredHypothesis[]) : [];
  },
  async attention(c: CaptionParent, _: unknown, ctx: Context) {
    return ((await details(c, ctx)).attention as unknown as StoredAttention | null) ?? null;
  },
  sentenceRougeL: (c: CaptionParent, _: unknown, ctx: Context) => captionRougeL(c, ctx),
  sentenceCiderD: (c: CaptionParent, _: unknown, ctx: Context) => captionCiderD(c, ctx),
  decode: (c: CaptionParent) => ({ beamSize: Number(c.settings.beamSize), maxLength: Number(c.settings.maxLength) }),
  ratings: (c: CaptionParent, _: unknown, ctx: Context) => ctx.loaders.ratingSummaryByCaptionId.load(c.id),
  myRating: (c: CaptionParent, _: unknown, ctx: Context) =>
    ctx.voterId ? ctx.loaders.myRatingByCaptionId.load(c.id) : null,
};
