// CIDEr-D exactly as coco-caption computes it (pycocoevalcap/cider/cider_scorer.py), on the tokens of
// tokenize() in bleu.ts. training/metrics.py is the Python twin; caption-metrics.test.ts checks the two agree
// on random corpora, and docs/metrics.md states the definition.

import { checkCorpus, meanOf, type CorpusScores } from './corpus-scores.js';

const MAX_N = 4;
/** Width of the Gaussian length penalty, in words. */
export const CIDER_SIGMA = 6;

type Vector = { weights: Map<string, number>[]; norms: number[]; length: number };

/** Document frequencies of a set of images' references: the n-grams' image counts and the number of images. */
export interface DocumentFrequencies {
  readonly counts: ReadonlyMap<string, number>;
  readonly images: number;
}

/**
 * CIDEr-D of each hypothesis against its references. Document frequencies come from these references
 * only (log of the number of images), so an image's score depends on the whole evaluated set.
 */
export function ciderD(
  references: readonly (readonly (readonly string[])[])[],
  hypotheses: readonly (readonly string[])[],
  sigma: number = CIDER_SIGMA,
): CorpusScores {
  checkCorpus(references, hypotheses, 'ciderD');
  const frequencies = ciderDocumentFrequencies(references);
  const perImage = hypotheses.map((tokens, index) => sentenceCiderD(references[index]!, tokens, frequencies, sigma));
  return { corpus: meanOf(perImage), perImage };
}

/** The document frequencies of a corpus's references, as ciderD takes them (one list of references per image). */
export function ciderDocumentFrequencies(references: readonly (readonly (readonly string[])[])[]): DocumentFrequencies {
  const counts = new Map<string, number>();
  for (const refs of references) {
    // An n-gram counts once per image however many of its references hold it.
    const seen = new Set<string>();
    for (const ref of refs) for (const key of ngramCounts(ref).keys()) seen.add(key);
    for (const key of seen) counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return { counts, images: references.length };
}

/**
 * CIDEr-D of one hypothesis against its references, weighted by the document frequencies of the set it is
 * scored within (which should hold these references): ciderD's score of that image in that set.
 */
export function sentenceCiderD(
  references: readonly (readonly string[])[],
  hypothesis: readonly string[],
  frequencies: DocumentFrequencies,
  sigma: number = CIDER_SIGMA,
): number {
  if (references.length === 0) throw new Error('sentenceCiderD needs at least one reference, got none');
  const logImages = Math.log(frequencies.images);

  const tfidf = (counts: Map<string, number>): Vector => {
    const weights = Array.from({ length: MAX_N }, () => new Map<string, number>());
    const squares = new Array<number>(MAX_N).fill(0);
    // The length the penalty compares is the number of bigrams, as cider_scorer counts it.
    let length = 0;
    for (const [key, termFrequency] of counts) {
      const n = orderOf(key) - 1;
      // n-grams no reference holds get df 1 (log 0 would be -inf), the reference's max(1, df) floor.
      const weight = termFrequency * (logImages - Math.log(Math.max(1, frequencies.counts.get(key) ?? 0)));
      weights[n]!.set(key, weight);
      squares[n]! += weight * weight;
      if (n === 1) length += termFrequency;
    }
    return { weights, norms: squares.map(Math.sqrt), length };
  };

  const similarity = (hyp: Vector, ref: Vector): number[] => {
    const delta = hyp.length - ref.length;
    const penalty = Math.E ** (-(delta ** 2) / (2 * sigma ** 2));
    const values = new Array<number>(MAX_N).fill(0);
    for (let n = 0; n < MAX_N; n++) {
      for (const [key, weight] of hyp.weights[n]!) {
        const refWeight = ref.weights[n]!.get(key) ?? 0;
        values[n]! += Math.min(weight, refWeight) * refWeight; // clipped: repeating a word earns nothing
      }
      // No n-grams of this order (or all of idf 0): the cosine stays 0.
      if (hyp.norms[n] !== 0 && ref.norms[n] !== 0) values[n]! /= hyp.norms[n]! * ref.norms[n]!;
      values[n]! *= penalty;
    }
    return values;
  };

  const hyp = tfidf(ngramCounts(hypothesis));
  const perN = new Array<number>(MAX_N).fill(0);
  for (const ref of references) {
    similarity(hyp, tfidf(ngramCounts(ref))).forEach((value, n) => (perN[n]! += value));
  }
  const mean = (perN[0]! + perN[1]! + perN[2]! + perN[3]!) / MAX_N; // mean over n, summed left to right
  return (mean / references.length) * 10;
}

// \u0001 cannot occur in a token, so joined keys are unambiguous; the order of an n-gram is its key's parts.
const SEPARATOR = '\u0001';

function orderOf(key: string): number {
  let order = 1;
  for (const char of key) if (char === SEPARATOR) order++;
  return order;
}

/** n-gram counts for n = 1..4 in the order cider_scorer's precook inserts them (all unigrams first). */
function ngramCounts(tokens: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (let n = 1; n <= MAX_N; n++) {
    for (let start = 0; start + n <= tokens.length; start++) {
      const key = tokens.slice(start, start + n).join(SEPARATOR);
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  }
  return counts;
}
