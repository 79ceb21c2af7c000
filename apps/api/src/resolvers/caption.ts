// Caption fields. Parent: the database's CaptionRecord.
import type { CaptionRecord } from '@captioner/db';
import type { Context } from '../graphql/context.js';
import type { StoredAttention } from '../captioning/caption-service.js';

export interface StoredHypothesis {
  text: string;
  tokens: string[];
  logProb: number;
  score: number;
}

export const Caption = {
  image: (c: CaptionRecord, _: unknown, ctx: Context) => ctx.loaders.imageById.load(c.imageId),
  model: (c: CaptionRecord, _: unknown, ctx: Context) => ctx.loaders.modelById.load(c.modelId),
  nBest: (c: CaptionRecord) => (Array.isArray(c.nBest) ? (c.nBest as unknown as StoredHypothesis[]) : []),
  attention: (c: CaptionRecord) => (c.attention as unknown as StoredAttention | null) ?? null,
  decode: (c: CaptionRecord) => ({ beamSize: Number(c.settings.beamSize), maxLength: Number(c.settings.maxLength) }),
  ratings: (c: CaptionRecord, _: unknown, ctx: Context) => ctx.loaders.ratingSummaryByCaptionId.load(c.id),
  myRating: (c: CaptionRecord, _: unknown, ctx: Context) =>
    ctx.voterId ? ctx.loaders.myRatingByCaptionId.load(c.id) : null,
};
