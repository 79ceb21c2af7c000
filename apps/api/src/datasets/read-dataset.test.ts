// The importer must see exactly what training/ sees: same images, splits and captions, for each layout.
// Python's training/data.py is the reference (run with Debian's python3, as the training code is).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../config.js';
import { parseCsv } from './csv.js';
import { DatasetError, kaggleSplit, readDataset } from './read-dataset.js';

const fixtures = path.join(repoRoot, 'training', 'tests', 'fixtures');

function pythonExamples(dir: string): { file: string; split: string; captions: string[] }[] {
  const script = `import json, sys
from training.data import load_examples
print(json.dumps([{"file": e.file, "split": e.split, "captions": e.captions} for e in load_examples(sys.argv[1])]))`;
  return JSON.parse(
    execFileSync('/usr/bin/python3', ['-c', script, dir], { cwd: repoRoot, encoding: 'utf8' }),
  ) as never;
}

for (const [name, format] of [
  ['flickr8k', 'flickr8k'],
  ['karpathy', 'karpathy'],
  ['kaggle', 'kaggle'],
] as const) {
  test(`reads the ${name} fixture exactly as training/data.py does`, async () => {
    const dir = path.join(fixtures, name);
    const ds = await readDataset(dir);
    assert.equal(ds.format, format);
    const ours = ds.examples.map((e) => ({ file: e.file, split: e.split, captions: e.captions }));
    assert.deepEqual(ours, pythonExamples(dir));
    assert.ok(ds.examples.every((e) => path.isAbsolute(e.path) && e.path.endsWith(e.file)));
  });
}

test('kaggle split: last round(n/8) test, the round(n/8) before val, Python rounding halves to even', () => {
  const names = Array.from({ length: 20 }, (_, i) => `img${String(i).padStart(2, '0')}.jpg`).reverse();
  const splits = kaggleSplit(names);
  // n/8 = 2.5 rounds to 2 in Python
  assert.deepEqual([...splits.values()].filter((s) => s === 'test').length, 2);
  assert.equal(splits.get('img19.jpg'), 'test');
  assert.equal(splits.get('img17.jpg'), 'val');
  assert.equal(splits.get('img15.jpg'), 'train');
  assert.equal(
    [...kaggleSplit(Array.from({ length: 28 }, (_, i) => `${i}`)).values()].filter((s) => s === 'val').length,
    4,
  ); // 3.5 -> 4
});

test('csv parsing keeps quoted commas and doubled quotes', () => {
  assert.deepEqual(parseCsv('image,caption\r\na.jpg,"x, ""y"" z"\nb.jpg,plain\n'), [
    ['image', 'caption'],
    ['a.jpg', 'x, "y" z'],
    ['b.jpg', 'plain'],
  ]);
});

test('a directory in no known layout, a malformed line and a missing image are refused with the file named', async () => {
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'captioner-ds-'));
  try {
    await assert.rejects(
      readDataset(tmp),
      (e: Error) => e instanceof DatasetError && /Flickr8k.token.txt/.test(e.message),
    );
    await assert.rejects(readDataset(path.join(tmp, 'nope')), DatasetError);
    const broken = path.join(tmp, 'broken');
    await cp(path.join(fixtures, 'flickr8k'), broken, { recursive: true });
    await writeFile(path.join(broken, 'Flickr8k.token.txt'), 'no tab or hash here\n');
    await assert.rejects(readDataset(broken), /line 1 is malformed/);
    const missing = path.join(tmp, 'missing');
    await cp(path.join(fixtures, 'kaggle'), missing, { recursive: true });
    await writeFile(path.join(missing, 'captions.txt'), 'ghost.jpg,a ghost\n', { flag: 'a' });
    await assert.rejects(readDataset(missing), /missing, e.g. ghost.jpg/);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
});

test('a captions.txt with an unclosed quote is refused as invalid CSV, as Python csv.reader refuses it', async () => {
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'captioner-ds-'));
  try {
    const broken = path.join(tmp, 'kaggle');
    await cp(path.join(fixtures, 'kaggle'), broken, { recursive: true });
    await writeFile(path.join(broken, 'captions.txt'), 'x.jpg,"never closed\n', { flag: 'a' });
    await assert.rejects(
      readDataset(broken),
      (e: Error) => e instanceof DatasetError && /captions\.txt is not valid CSV: Quote Not Closed/.test(e.message),
    );
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
});
