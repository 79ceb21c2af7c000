import assert from 'node:assert/strict';
import { test } from 'node:test';

import { corpusBleu, fsum, sentenceBleu, tokenize } from './bleu.js';
import { type Corpus, mulberry32, randomCorpus, runPython } from './test-corpora.js';

// NLTK (Debian python3-nltk) is the reference implementation; each test sends it the same data.
const nltk = runPython;

const NLTK_BLEU = `
import json, sys
from nltk.translate.bleu_score import corpus_bleu, sentence_bleu, SmoothingFunction
data = json.load(sys.stdin)
weights = [(1.0,), (1/2, 1/2), (1/3, 1/3, 1/3), (1/4, 1/4, 1/4, 1/4)]
out = []
for corpus in data:
    refs, hyps = corpus["refs"], corpus["hyps"]
    out.append({
        "corpus": [float(corpus_bleu(refs, hyps, weights=w)) for w in weights],
        "sentence": [float(sentence_bleu(r, h, smoothing_function=SmoothingFunction().method1)) for r, h in zip(refs, hyps)],
    })
print(json.dumps(out))
`;

test('corpus and sentence BLEU equal NLTK within 1e-9 on random corpora', () => {
  const random = mulberry32(20261125);
  const corpora: Corpus[] = [];
  for (let i = 0; i < 60; i++) {
    corpora.push(randomCorpus(random, 3 + Math.floor(random() * 40), 1 + Math.floor(random() * 40)));
  }
  // Edge cases: empty hypothesis, too short for 3/4-grams, no overlap at all, exact copy.
  corpora.push({ refs: [[['a', 'b', 'c']]], hyps: [[]] });
  corpora.push({
    refs: [
      [
        ['a', 'b', 'c', 'd'],
        ['a', 'b'],
      ],
    ],
    hyps: [['a', 'b']],
  });
  corpora.push({ refs: [[['x', 'y', 'z']]], hyps: [['a', 'b', 'c', 'd', 'e']] });
  corpora.push({
    refs: [[['a', 'b', 'c', 'd', 'e']], [['f', 'g']]],
    hyps: [
      ['a', 'b', 'c', 'd', 'e'],
      ['f', 'g'],
    ],
  });
  corpora.push({
    refs: [
      [
        ['the', 'the', 'cat'],
        ['the', 'cat', 'sat', 'on', 'it'],
      ],
    ],
    hyps: [['the', 'the', 'the', 'the']],
  });

  const expected = nltk(NLTK_BLEU, corpora) as { corpus: number[]; sentence: number[] }[];
  let compared = 0;
  corpora.forEach((corpus, i) => {
    const ours = corpusBleu(corpus.refs, corpus.hyps);
    ours.forEach((score, n) => {
      assert.ok(
        Math.abs(score - expected[i]!.corpus[n]!) <= 1e-9,
        `corpus ${i} BLEU-${n + 1}: ours ${score}, NLTK ${expected[i]!.corpus[n]}`,
      );
      compared++;
    });
    corpus.hyps.forEach((hyp, j) => {
      const score = sentenceBleu(corpus.refs[j]!, hyp);
      assert.ok(
        Math.abs(score - expected[i]!.sentence[j]!) <= 1e-9,
        `corpus ${i} sentence ${j}: ours ${score}, NLTK ${expected[i]!.sentence[j]}`,
      );
      compared++;
    });
  });
  // The corpora must exercise the interesting ranges, not only zeros.
  const nonZeroBleu4 = expected.filter((e) => e.corpus[3]! > 0.01).length;
  assert.ok(nonZeroBleu4 >= 10, `only ${nonZeroBleu4} corpora with BLEU-4 > 0.01`);
  assert.ok(compared > 1000);
});

test('corpusBleu refuses mismatched lengths and hypotheses without references', () => {
  assert.throws(() => corpusBleu([[['a']]], [['a'], ['b']]), /one reference list per hypothesis/);
  assert.throws(() => corpusBleu([[]], [['a']]), /at least one reference/);
});

test('tokenize equals training/bleu.py tokenize: lowercase, drop punctuation, split on whitespace', () => {
  const texts = [
    'A red Circle, left of a BLUE square.',
    '  two   green\ttriangles!  (small) \n',
    'don\'t "quote" me; a-b c_d e/f #1 $2 50% x+y=z <tag> `tick` ~tilde| {brace} [sq] ^caret @at',
    'Unicode: café — naïve «quotes» “curly” ½ ² ٣ 東京 emoji 🙂 non\u00a0breaking e\u0301 İstanbul',
    '',
    '...',
  ];
  const expected = nltk(
    `import json, sys
sys.path.insert(0, ".")
from training.bleu import tokenize
print(json.dumps([tokenize(t) for t in json.load(sys.stdin)]))`,
    texts,
  );
  assert.deepEqual(texts.map(tokenize), expected);
});

test('fsum matches Python math.fsum where naive summation rounds differently', () => {
  const cases = [
    [0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1],
    [1e100, 1.0, -1e100, 1e-100, 1e50, -1.0, -1e50],
    [1, 1e-16, 1e-16],
    [-0.25 * 708.3964185322641, -0.25 * 0.2231435513142097, -0.1, 3e-17],
    [],
  ];
  const expected = nltk(
    'import json, sys, math\nprint(json.dumps([math.fsum(c) for c in json.load(sys.stdin)]))',
    cases,
  );
  assert.deepEqual(cases.map(fsum), expected);
});
