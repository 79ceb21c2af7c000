// Shared by the metric tests: seeded random corpora, and the Python reference implementations run on them.
import { execFileSync } from 'node:child_process';

export type Corpus = { refs: string[][][]; hyps: string[][] };

/** Runs a Python script (Debian's /usr/bin/python3, repo root as cwd) with `input` as JSON on stdin. */
export function runPython(script: string, input: unknown): unknown {
  const out = execFileSync('/usr/bin/python3', ['-W', 'ignore', '-c', script], {
    cwd: new URL('../../../', import.meta.url),
    input: JSON.stringify(input),
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(out);
}

/** Small seeded generator so a failing corpus can be reproduced. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomCorpus(random: () => number, vocabSize: number, size: number): Corpus {
  const vocab = Array.from({ length: vocabSize }, (_, i) => `w${i}`);
  const word = (): string => vocab[Math.floor(random() * vocab.length)]!;
  const sentence = (maxLength: number): string[] =>
    Array.from({ length: Math.floor(random() * (maxLength + 1)) }, word);
  const refs: string[][][] = [];
  const hyps: string[][] = [];
  for (let i = 0; i < size; i++) {
    const sentenceRefs = Array.from({ length: 1 + Math.floor(random() * 5) }, () => sentence(12));
    let hyp = sentence(12);
    // Half the hypotheses copy and mutate a reference so higher-order n-grams match too.
    if (random() < 0.5 && sentenceRefs[0]!.length > 0) {
      hyp = sentenceRefs[0]!.map((token) => (random() < 0.2 ? word() : token));
      if (random() < 0.3) hyp = hyp.slice(0, Math.floor(random() * hyp.length));
    }
    refs.push(sentenceRefs);
    hyps.push(hyp);
  }
  return { refs, hyps };
}
