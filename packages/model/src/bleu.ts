// BLEU exactly as NLTK computes it (the reference implementation both languages agree on, see
// docs/metrics.md): corpus BLEU-1..4 with cumulative uniform weights and no smoothing, and
// sentence BLEU-4 with SmoothingFunction().method1. The arithmetic mirrors nltk.translate.bleu_score
// step by step (integer n-gram counts, the float_info.min stand-in for zero precisions, math.fsum)
// so the results match to the last few ulps.

/**
 * Lowercase, drop punctuation, split on whitespace: the same as training/bleu.py, which removes every
 * character that is neither a word character nor whitespace (Python's `[^\w\s]`, where \w is a
 * letter, a number or `_`).
 */
export function tokenize(text: string): string[] {
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{N}_\s]/gu, '')
    .split(/\s+/u)
    .filter((token) => token.length > 0);
}

// Python's sys.float_info.min: what NLTK's method0 substitutes for a zero precision.
const FLOAT_INFO_MIN = 2.2250738585072014e-308;
const METHOD1_EPSILON = 0.1;
const MAX_ORDER = 4;

type Counts = { numerators: number[]; denominators: number[]; hypLength: number; refLength: number };

/** Corpus BLEU-1..4 (NLTK corpus_bleu, weights (1), (1/2,1/2), (1/3,1/3,1/3), (1/4,...), no smoothing). */
export function corpusBleu(
  references: readonly (readonly (readonly string[])[])[],
  hypotheses: readonly (readonly string[])[],
): [number, number, number, number] {
  if (references.length !== hypotheses.length) {
    throw new Error(
      `corpusBleu needs one reference list per hypothesis, got ${references.length} reference lists for ${hypotheses.length} hypotheses`,
    );
  }
  const counts = countCorpus(references, hypotheses);
  const scores = [1, 2, 3, 4].map((order) => bleuFromCounts(counts, order, smoothNone));
  return scores as [number, number, number, number];
}

/** Sentence BLEU-4 (NLTK sentence_bleu with SmoothingFunction().method1). */
export function sentenceBleu(references: readonly (readonly string[])[], hypothesis: readonly string[]): number {
  return bleuFromCounts(countCorpus([references], [hypothesis]), MAX_ORDER, smoothMethod1);
}

function countCorpus(
  references: readonly (readonly (readonly string[])[])[],
  hypotheses: readonly (readonly string[])[],
): Counts {
  const numerators = new Array<number>(MAX_ORDER).fill(0);
  const denominators = new Array<number>(MAX_ORDER).fill(0);
  let hypLength = 0;
  let refLength = 0;
  hypotheses.forEach((hypothesis, index) => {
    const refs = references[index] ?? [];
    if (refs.length === 0) {
      throw new Error(`BLEU needs at least one reference for hypothesis ${index}, got none`);
    }
    for (let order = 1; order <= MAX_ORDER; order++) {
      const [matched, total] = modifiedPrecision(refs, hypothesis, order);
      numerators[order - 1]! += matched;
      denominators[order - 1]! += total;
    }
    hypLength += hypothesis.length;
    refLength += closestRefLength(refs, hypothesis.length);
  });
  return { numerators, denominators, hypLength, refLength };
}

// Precisions in NLTK are Fractions until smoothing; we keep [numerator, denominator] and turn a
// pair into a float only where Python would (math.log of the Fraction or of a smoothed float).
type Smoothing = (numerator: number, denominator: number) => number;
const smoothNone: Smoothing = (num, den) => (num === 0 ? FLOAT_INFO_MIN : num / den);
const smoothMethod1: Smoothing = (num, den) => (num === 0 ? (num + METHOD1_EPSILON) / den : num / den);

function bleuFromCounts(counts: Counts, order: number, smooth: Smoothing): number {
  if (counts.numerators[0] === 0) return 0;
  const weight = 1 / order;
  const terms: number[] = [];
  for (let i = 0; i < order; i++) {
    const precision = smooth(counts.numerators[i]!, counts.denominators[i]!);
    if (precision > 0) terms.push(weight * Math.log(precision));
  }
  return brevityPenalty(counts.refLength, counts.hypLength) * Math.exp(fsum(terms));
}

function ngramCounts(tokens: readonly string[], order: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (let start = 0; start + order <= tokens.length; start++) {
    // \u0001 cannot occur in a token, so joined keys are unambiguous.
    const key = tokens.slice(start, start + order).join('\u0001');
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

function modifiedPrecision(
  references: readonly (readonly string[])[],
  hypothesis: readonly string[],
  order: number,
): [number, number] {
  const counts = ngramCounts(hypothesis, order);
  const maxRefCounts = new Map<string, number>();
  for (const reference of references) {
    const refCounts = ngramCounts(reference, order);
    for (const ngram of counts.keys()) {
      maxRefCounts.set(ngram, Math.max(maxRefCounts.get(ngram) ?? 0, refCounts.get(ngram) ?? 0));
    }
  }
  let matched = 0;
  let total = 0;
  for (const [ngram, count] of counts) {
    matched += Math.min(count, maxRefCounts.get(ngram) ?? 0);
    total += count;
  }
  return [matched, Math.max(1, total)];
}

function closestRefLength(references: readonly (readonly string[])[], hypLength: number): number {
  let best = Infinity;
  for (const reference of references) {
    const length = reference.length;
    const distance = Math.abs(length - hypLength);
    const bestDistance = Math.abs(best - hypLength);
    if (distance < bestDistance || (distance === bestDistance && length < best)) best = length;
  }
  return best;
}

function brevityPenalty(closestRefLen: number, hypLen: number): number {
  if (hypLen > closestRefLen) return 1;
  if (hypLen === 0) return 0;
  return Math.exp(1 - closestRefLen / hypLen);
}

/** Python's math.fsum: Shewchuk's exact summation with correct final rounding. */
export function fsum(values: readonly number[]): number {
  const partials: number[] = [];
  for (let value of values) {
    let kept = 0;
    for (let other of partials) {
      if (Math.abs(value) < Math.abs(other)) [value, other] = [other, value];
      const hi = value + other;
      const lo = other - (hi - value);
      if (lo !== 0) partials[kept++] = lo;
      value = hi;
    }
    partials.length = kept;
    partials.push(value);
  }
  let n = partials.length;
  if (n === 0) return 0;
  let hi = partials[--n]!;
  let lo = 0;
  while (n > 0) {
    const x = hi;
    const y = partials[--n]!;
    hi = x + y;
    lo = y - (hi - x);
    if (lo !== 0) break;
  }
  // Round half-even correctly when the remaining partials push the tie one way.
  if (n > 0 && ((lo < 0 && partials[n - 1]! < 0) || (lo > 0 && partials[n - 1]! > 0))) {
    const y = lo * 2;
    const x = hi + y;
    if (y === x - hi) hi = x;
  }
  return hi;
}
