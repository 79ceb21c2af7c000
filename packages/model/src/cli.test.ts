import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { promisify } from 'node:util';

import { fixtureModelDir, fixtureModelsDir } from './fixtures.js';

const CLI = fileURLToPath(new URL('./cli.ts', import.meta.url));

async function caption(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    // Ids are looked up among the fixture models.
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [
      '--import',
      'tsx',
      CLI,
      '--models-dir',
      fixtureModelsDir(),
      ...args,
    ]);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

test('caption --json prints one result per image with the requested n-best list', async () => {
  const golden = path.join(fixtureModelDir('shapes-attention'), 'golden.png');
  const lstmGolden = path.join(fixtureModelDir('shapes-lstm'), 'golden.png');
  const { code, stdout } = await caption(
    '--model',
    'shapes-attention',
    '--beam',
    '3',
    '--n-best',
    '2',
    '--max-length',
    '12',
    '--json',
    golden,
    lstmGolden,
  );
  assert.equal(code, 0);
  const manifestId = (
    JSON.parse(await readFile(path.join(fixtureModelDir('shapes-attention'), 'manifest.json'), 'utf8')) as {
      id: string;
    }
  ).id;
  const results = JSON.parse(stdout) as {
    file: string;
    model: string;
    text: string;
    nBest: unknown[];
    decode: { beamSize: number; maxLength: number };
  }[];
  assert.equal(results.length, 2);
  assert.deepEqual(
    results.map((r) => r.file),
    [golden, lstmGolden],
  );
  for (const result of results) {
    assert.equal(result.model, manifestId);
    assert.equal(result.nBest.length, 2);
    assert.deepEqual(result.decode, { beamSize: 3, maxLength: 12, nBest: 2, lengthPenalty: 1 });
    assert.ok(result.text.length > 0);
  }
});

test('caption prints plain captions, one line per file', async () => {
  const golden = path.join(fixtureModelDir('shapes-lstm'), 'golden.png');
  const { code, stdout } = await caption('--model', fixtureModelDir('shapes-lstm'), '--beam', '1', golden);
  assert.equal(code, 0);
  assert.match(stdout, new RegExp(`^${golden.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: \\S+`));
});

test('caption explains bad usage, unknown models and unreadable images', async () => {
  const golden = path.join(fixtureModelDir('shapes-lstm'), 'golden.png');
  const noModel = await caption(golden);
  assert.equal(noModel.code, 2);
  assert.match(noModel.stderr, /--model is required/);

  const unknown = await caption('--model', 'no-such-model', golden);
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /MODEL_NOT_FOUND/);

  const notImage = await caption('--model', 'shapes-lstm', fileURLToPath(import.meta.url));
  assert.equal(notImage.code, 1);
  assert.match(notImage.stderr, /cli\.test\.ts: UNSUPPORTED_IMAGE/);

  const badBeam = await caption('--model', 'shapes-lstm', '--beam', '11', golden);
  assert.equal(badBeam.code, 1);
  assert.match(badBeam.stderr, /INVALID_DECODE_OPTIONS: .*beamSize must be an integer from 1 to 10/);
});

test('caption with several --model options captions each image with every model', async () => {
  const golden = path.join(fixtureModelDir('shapes-attention'), 'golden.png');
  const both = await caption('--model', 'shapes-lstm', '--model', 'shapes-attention', '--beam', '1', '--json', golden);
  assert.equal(both.code, 0, both.stderr);
  const results = JSON.parse(both.stdout) as { file: string; model: string; text: string }[];
  assert.deepEqual(
    results.map((r) => [r.file, r.model]),
    [
      [golden, 'shapes-lstm'],
      [golden, 'shapes-attention'],
    ],
  );
  // The same captions as one model at a time.
  for (const result of results) {
    const alone = await caption('--model', result.model, '--beam', '1', golden);
    assert.equal(alone.stdout, `${golden}: ${result.text}\n`);
  }
  const plain = await caption('--model', 'shapes-lstm', '--model', 'shapes-attention', '--beam', '1', golden);
  assert.equal(plain.stdout, results.map((r) => `${golden} [${r.model}]: ${r.text}\n`).join(''));
});
