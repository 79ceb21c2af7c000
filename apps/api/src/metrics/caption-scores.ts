// Sentence ROUGE-L and CIDEr-D of a stored caption against its image's references, computed when a query asks
// for them rather than stored with the caption: a caption's CIDEr-D depends on every reference of its dataset
// split (document frequencies), so each import that adds references would otherwise have to rescore every
// caption of the split. Computing on read is always consistent with the references stored now, and cheap (the
// frequencies are cached per split, the rest is one caption against its five references).
import { sentenceCiderD, sentenceRougeL, tokenize } from '@captioner/model';
import type { CaptionSummary } from '@captioner/db';
import { memo, type Context } from '../graphql/context.js';

type ScoredCaption = Pick<CaptionSummary, 'imageId' | 'text'>;

async function referenceTokens(caption: ScoredCaption, ctx: Context): Promise<string[][]> {
  const references = await ctx.loaders.referencesByImageId.load(caption.imageId);
  return references.map((reference) => tokenize(reference.text));
}

/** Sentence ROUGE-L; null when the image has no references. */
export async function captionRougeL(caption: ScoredCaption, ctx: Context): Promise<number | null> {
  const references = await referenceTokens(caption, ctx);
  return references.length === 0 ? null : sentenceRougeL(references, tokenize(caption.text));
}

/**
 * Sentence CIDEr-D with the document frequencies of the references of the image's dataset split; null when the
 * image has no references or no dataset split to take them from.
 */
export async function captionCiderD(caption: ScoredCaption, ctx: Context): Promise<number | null> {
  const [image, references] = await Promise.all([
    ctx.loaders.imageById.load(caption.imageId),
    referenceTokens(caption, ctx),
  ]);
  const { dataset, split } = image ?? {};
  if (!dataset || !split || references.length === 0) return null;
  const frequencies = await memo(ctx, `ciderDocumentFrequencies:${dataset}:${split}`, () =>
    ctx.services.documentFrequencies.get(dataset, split),
  );
  return sentenceCiderD(references, tokenize(caption.text), frequencies);
}
