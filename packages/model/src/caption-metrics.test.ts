import assert from 'node:assert/strict';
import { test } from 'node:test';

import { ciderD, ciderDocumentFrequencies, sentenceCiderD } from './cider.js';
import { lcsLength, rougeL, sentenceRougeL } from './rouge.js';
import { type Corpus, mulberry32, randomCorpus, runPython } from './test-corpora.js';

type Scores = { corpus: number; perImage: number[] };

// training/metrics.py (the Python twin, checked there against hand-computed values) scores the same corpora.
function python(corpora: Corpus[]): { cider: Scores; rouge: Scores }[] {
  const script = `
import json, sys
sys.path.insert(0, ".")
from training.metrics import cider_d, rouge_l
out = []
for corpus in json.load(sys.stdin):
    cider, cider_each = cider_d(corpus["hyps"], corpus["refs"])
    rouge, rouge_each = rouge_l(corpus["hyps"], corpus["refs"])
    out.append({"cider": {"corpus": cider, "perImage": cider_each}, "rouge": {"corpus": rouge, "perImage": rouge_each}})
print(json.dumps(out))
`;
  return runPython(script, corpora) as { cider: Scores; rouge: Scores }[];
}

const close = (actual: number, expected: number, tolerance = 1e-12): boolean =>
  Math.abs(actual - expected) <= tolerance;

test('ROUGE-L of a hand-computed pair: "a cat sat" against "the cat sat down"', () => {
  // LCS = 2 ("cat sat"); precision P = 2/3, recall R = 2/4; beta^2 = 1.44.
  // F = (1 + 1.44) P R / (R + 1.44 P) = (2.44 / 3) / (0.5 + 0.96) = 244 / 438 = 122 / 219.
  const score = sentenceRougeL([['the', 'cat', 'sat', 'down']], ['a', 'cat', 'sat']);
  assert.ok(close(score, 122 / 219), `${score}`);
});

test('ROUGE-L takes the best precision and the best recall over references, even from different ones', () => {
  // Against "a b c d e f": LCS 2, P = 2/2, R = 2/6. Against "a b": LCS 2, P = 1, R = 1. Best of each: P = R = 1.
  assert.equal(
    sentenceRougeL(
      [
        ['a', 'b', 'c', 'd', 'e', 'f'],
        ['a', 'b'],
      ],
      ['a', 'b'],
    ),
    1,
  );
  // "a b x" vs "a b" (P 2/3, R 1) and "x y z w" (P 1/3, R 1/4): P = 2/3, R = 1 -> 2.44 (2/3) / (1 + 0.96).
  const mixed = sentenceRougeL(
    [
      ['a', 'b'],
      ['x', 'y', 'z', 'w'],
    ],
    ['a', 'b', 'x'],
  );
  assert.ok(close(mixed, (2.44 * (2 / 3)) / 1.96), `${mixed}`);
  assert.equal(lcsLength(['a', 'b', 'c', 'b', 'd'], ['b', 'd', 'c', 'b']), 3);
});

test('ROUGE-L corner cases as rouge.py: no overlap scores 0, empty sentences are one empty token', () => {
  assert.equal(sentenceRougeL([['x', 'y']], ['a', 'b']), 0);
  assert.equal(sentenceRougeL([['x', 'y']], []), 0);
  // "".split(" ") == [""] on both sides: the empty tokens match, so rouge.py scores 1.
  assert.equal(sentenceRougeL([[]], []), 1);
});

test('CIDEr-D of a hand-computed 2-image set: clipping, idf and the missing 3- and 4-grams', () => {
  // Two images, so every n-gram held by one image's references has idf log(2) - log(1) = log 2 = L.
  // Image 2, "c d" against "c d": unigram and bigram cosines are 1, no 3- or 4-grams (cosine 0), equal
  // lengths (no penalty): mean over n = (1 + 1 + 0 + 0) / 4, x10 = 5.
  // Image 1, "a a" against "a b": hypothesis unigram weight 2L ("a" twice), norm 2L; reference a: L, b: L,
  // norm sqrt(2) L. Clipped dot product min(2L, L) * L = L^2, cosine 1 / (2 sqrt 2) (unclipped it would be
  // 1 / sqrt 2). The bigram "a a" is not in the reference: 0. Score 10 * (1 / (2 sqrt 2)) / 4 = 5 / (4 sqrt 2).
  const { corpus, perImage } = ciderD(
    [[['a', 'b']], [['c', 'd']]],
    [
      ['a', 'a'],
      ['c', 'd'],
    ],
  );
  assert.ok(close(perImage[0]!, 5 / (4 * Math.SQRT2)), `${perImage[0]}`);
  assert.equal(perImage[1], 5);
  assert.ok(close(corpus, (5 + 5 / (4 * Math.SQRT2)) / 2), `${corpus}`);
});

test('CIDEr-D length penalty counts bigrams, as cider_scorer does', () => {
  // "c" against "c d": unigram cosine L^2 / (L * sqrt(2) L) = 1 / sqrt 2; lengths are bigram counts 0 and 1,
  // so delta = -1 and the penalty is exp(-1 / (2 * 6^2)) = exp(-1/72). Score 10 / 4 / sqrt 2 * exp(-1/72).
  const { perImage } = ciderD([[['a', 'b']], [['c', 'd']]], [['a', 'b'], ['c']]);
  assert.ok(close(perImage[1]!, (2.5 / Math.SQRT2) * Math.exp(-1 / 72)), `${perImage[1]}`);
});

test('CIDEr-D of one image is 0: every reference n-gram is in all (one) documents, idf 0', () => {
  assert.deepEqual(ciderD([[['a', 'b', 'c']]], [['a', 'b', 'c']]), { corpus: 0, perImage: [0] });
  // An empty hypothesis has no n-grams: 0, not NaN (the reference skips the division by a zero norm).
  assert.equal(ciderD([[['a']], [['b']]], [[], ['b']]).perImage[0], 0);
});

test("CIDEr-D of one caption with its set's document frequencies is its score in ciderD of that set", () => {
  // "x" is in both images' references (df 2, idf 0); "a" once per image however often its references repeat it.
  const references = [
    [
      ['a', 'x'],
      ['a', 'b', 'x'],
    ],
    [['c', 'd', 'x']],
    [['a', 'c']],
  ];
  const frequencies = ciderDocumentFrequencies(references);
  assert.equal(frequencies.images, 3);
  assert.deepEqual(
    ['a', 'b', 'c', 'x', 'zzz'].map((word) => frequencies.counts.get(word) ?? 0),
    [2, 1, 2, 2, 0],
  );
  const hypotheses = [
    ['a', 'x'],
    ['c', 'd'],
    ['a', 'c', 'c'],
  ];
  const { perImage } = ciderD(references, hypotheses);
  hypotheses.forEach((hypothesis, i) => {
    assert.equal(sentenceCiderD(references[i]!, hypothesis, frequencies), perImage[i]);
  });
  // The same caption scored within another set weighs its n-grams differently.
  const alone = sentenceCiderD(references[1]!, hypotheses[1]!, ciderDocumentFrequencies(references.slice(0, 2)));
  assert.ok(alone > 0 && alone !== perImage[1], `${alone} vs ${perImage[1]}`);
  assert.throws(() => sentenceCiderD([], ['a'], frequencies), /at least one reference/);
});

test('CIDEr-D and ROUGE-L equal training/metrics.py within 1e-12 on random corpora', () => {
  const random = mulberry32(20260214);
  const corpora: Corpus[] = [];
  for (let i = 0; i < 60; i++) {
    corpora.push(randomCorpus(random, 3 + Math.floor(random() * 40), 1 + Math.floor(random() * 40)));
  }
  corpora.push({ refs: [[['a', 'b', 'c']], [[]]], hyps: [[], []] });
  const expected = python(corpora);
  let compared = 0;
  corpora.forEach((corpus, i) => {
    const ours = { cider: ciderD(corpus.refs, corpus.hyps), rouge: rougeL(corpus.refs, corpus.hyps) };
    for (const metric of ['cider', 'rouge'] as const) {
      const want = expected[i]![metric];
      assert.ok(
        close(ours[metric].corpus, want.corpus),
        `corpus ${i} ${metric}: ours ${ours[metric].corpus}, Python ${want.corpus}`,
      );
      ours[metric].perImage.forEach((score, j) => {
        assert.ok(
          close(score, want.perImage[j]!),
          `corpus ${i} image ${j} ${metric}: ours ${score}, Python ${want.perImage[j]}`,
        );
        compared++;
      });
    }
  });
  // The corpora must exercise the interesting ranges, not only zeros.
  assert.ok(expected.filter((e) => e.cider.corpus > 0.5).length >= 10);
  assert.ok(expected.filter((e) => e.rouge.corpus > 0.3).length >= 10);
  assert.ok(compared > 2000, `only ${compared} scores compared`);
});

test('ciderD and rougeL refuse mismatched lengths and hypotheses without references', () => {
  assert.throws(() => ciderD([[['a']]], [['a'], ['b']]), /one reference list per hypothesis/);
  assert.throws(() => rougeL([[]], [['a']]), /at least one reference/);
});
