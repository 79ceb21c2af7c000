// What CIDEr-D and ROUGE-L share: their result shape, the corpus mean and the input check.

import { fsum } from './bleu.js';

/** A corpus score (the mean over images) and the score of each image, in input order. */
export type CorpusScores = { corpus: number; perImage: number[] };

/** The mean as training/metrics.py takes it (math.fsum, then divide), so both languages agree to the ulp. */
export function meanOf(values: readonly number[]): number {
  return values.length === 0 ? 0 : fsum(values) / values.length;
}

export function checkCorpus(
  references: readonly (readonly (readonly string[])[])[],
  hypotheses: readonly (readonly string[])[],
  name: string,
): void {
  if (references.length !== hypotheses.length) {
    throw new Error(
      `${name} needs one reference list per hypothesis, got ${references.length} reference lists for ${hypotheses.length} hypotheses`,
    );
  }
  references.forEach((refs, index) => {
    if (refs.length === 0) throw new Error(`${name} needs at least one reference for hypothesis ${index}, got none`);
  });
}
