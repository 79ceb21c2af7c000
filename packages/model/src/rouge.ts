// ROUGE-L exactly as coco-caption computes it (pycocoevalcap/rouge/rouge.py), on the tokens of tokenize() in
// bleu.ts. training/metrics.py is the Python twin; caption-metrics.test.ts checks the two agree.

import { checkCorpus, meanOf, type CorpusScores } from './corpus-scores.js';

/** Recall weighs beta^2 = 1.44 times precision: coco-caption's value. */
export const ROUGE_BETA = 1.2;

/** Corpus ROUGE-L (the mean of the sentence scores) and each sentence's score. */
export function rougeL(
  references: readonly (readonly (readonly string[])[])[],
  hypotheses: readonly (readonly string[])[],
): CorpusScores {
  checkCorpus(references, hypotheses, 'rougeL');
  const perImage = hypotheses.map((hypothesis, index) => sentenceRougeL(references[index]!, hypothesis));
  return { corpus: meanOf(perImage), perImage };
}

/**
 * rouge.py's calc_score: LCS precision and recall of the hypothesis against each reference, the best
 * precision and the best recall (possibly from different references), then their F-measure with beta 1.2.
 */
export function sentenceRougeL(
  references: readonly (readonly string[])[],
  hypothesis: readonly string[],
  beta: number = ROUGE_BETA,
): number {
  if (references.length === 0) throw new Error('sentenceRougeL needs at least one reference, got none');
  const candidate = splitLikeReference(hypothesis);
  let precision = -Infinity;
  let recall = -Infinity;
  for (const ref of references) {
    const reference = splitLikeReference(ref);
    const lcs = lcsLength(reference, candidate);
    precision = Math.max(precision, lcs / candidate.length);
    recall = Math.max(recall, lcs / reference.length);
  }
  if (precision === 0 || recall === 0) return 0;
  return ((1 + beta ** 2) * precision * recall) / (recall + beta ** 2 * precision);
}

/** rouge.py splits the joined sentence on " ": an empty sentence becomes one empty token, not none. */
function splitLikeReference(tokens: readonly string[]): readonly string[] {
  return tokens.length === 0 ? [''] : tokens;
}

/** Length of the longest common subsequence of two token lists (one row of the table at a time). */
export function lcsLength(a: readonly string[], b: readonly string[]): number {
  const [long, short] = a.length < b.length ? [b, a] : [a, b];
  let previous = new Array<number>(short.length + 1).fill(0);
  for (const token of long) {
    const current = new Array<number>(short.length + 1).fill(0);
    for (let j = 1; j <= short.length; j++) {
      current[j] = token === short[j - 1] ? previous[j - 1]! + 1 : Math.max(previous[j]!, current[j - 1]!);
    }
    previous = current;
  }
  return previous[short.length]!;
}
