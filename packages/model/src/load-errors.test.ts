import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, test } from 'node:test';

import { CaptionerError } from './errors.js';
import { loadModel } from './load-model.js';
import {
  copyOfFixtureModel,
  rejectsWith,
  removeTempDirs,
  tempDir,
  validManifest,
  writeModelDir,
} from './test-fixtures.js';

after(removeTempDirs);

const VOCAB = ['<pad>', '<start>', '<end>', '<unk>', 'a', 'red', 'circle'];

test('an unknown id or path is MODEL_NOT_FOUND, naming the models that exist', async () => {
  const modelsDir = await tempDir('models');
  await writeFile(path.join(await writeModelDir({ manifest: validManifest() }), 'x'), '');
  await assert.rejects(loadModel('no-such-model', { modelsDir }), { code: 'MODEL_NOT_FOUND' });
  await assert.rejects(loadModel('./does/not/exist'), { code: 'MODEL_NOT_FOUND', message: /No model directory/ });
});

test('a directory without manifest.json is MODEL_FILE_MISSING', async () => {
  await rejectsWith(
    await writeModelDir({ vocab: VOCAB }),
    'MODEL_FILE_MISSING',
    /manifest file .*manifest\.json is missing/,
  );
});

test('a manifest that is not JSON is MODEL_FILE_CORRUPT', async () => {
  await rejectsWith(await writeModelDir({ manifest: '{"format": 1, "id": ' }), 'MODEL_FILE_CORRUPT', /not valid JSON/);
});

test('an unknown manifest format is MODEL_FORMAT_UNSUPPORTED', async () => {
  await rejectsWith(
    await writeModelDir({ manifest: validManifest({ format: 3 }), vocab: VOCAB }),
    'MODEL_FORMAT_UNSUPPORTED',
    /format 3, but this runtime reads formats 1 and 2/,
  );
  await rejectsWith(
    await writeModelDir({ manifest: validManifest({ format: '2' }), vocab: VOCAB }),
    'MODEL_FORMAT_UNSUPPORTED',
    /format "2"/,
  );
  await rejectsWith(
    await writeModelDir({ manifest: validManifest({ format: undefined }), vocab: VOCAB }),
    'MODEL_FORMAT_UNSUPPORTED',
    /format undefined/,
  );
});

test('manifest fields of the wrong kind are MODEL_MANIFEST_INVALID, all listed at once', async () => {
  const manifest = validManifest({
    variant: 'transformer',
    image: { height: 0, width: 16, mean: [0.5], std: [0.25, 0.25, -1], resize: 'crop' },
    files: { encoder: '../../etc/passwd', init: 'init.onnx' },
    maxLength: 'long',
    metrics: { test: { bleu: [0.5, 0.4, 0.3, 0.2], cider: '0.5', rougeL: 0.4 } },
  });
  const dir = await writeModelDir({ manifest, vocab: VOCAB });
  await assert.rejects(loadModel(dir), (error: unknown) => {
    assert.ok(error instanceof CaptionerError);
    assert.equal(error.code, 'MODEL_MANIFEST_INVALID');
    for (const field of [
      'variant',
      'image.height',
      'image.mean',
      'image.std',
      'image.resize',
      'files.encoder',
      'files.step',
      'maxLength',
      'metrics.test.cider',
    ]) {
      assert.ok(error.message.includes(`\`${field}`), `message should name ${field}: ${error.message}`);
    }
    assert.ok(!error.message.includes('rougeL'), 'a numeric rougeL is valid');
    return true;
  });
});

test('a missing or malformed vocabulary is reported', async () => {
  await rejectsWith(
    await writeModelDir({ manifest: validManifest() }),
    'MODEL_FILE_MISSING',
    /vocabulary file .*vocab\.json is missing/,
  );
  await rejectsWith(
    await writeModelDir({ manifest: validManifest(), vocab: { a: 1 } }),
    'MODEL_FILE_CORRUPT',
    /JSON array of token strings/,
  );
  await rejectsWith(
    await writeModelDir({ manifest: validManifest(), vocab: ['<pad>', '<start>'] }),
    'MODEL_MANIFEST_INVALID',
    /special token ids go up to 3/,
  );
});

test('a missing graph file is MODEL_FILE_MISSING, a garbage one MODEL_FILE_CORRUPT', async () => {
  await rejectsWith(
    await writeModelDir({ manifest: validManifest(), vocab: VOCAB }),
    'MODEL_FILE_MISSING',
    /encoder graph .*encoder\.onnx .*does not exist/,
  );
  const garbage = { 'encoder.onnx': 'definitely not protobuf', 'init.onnx': 'x', 'step.onnx': 'x' };
  await rejectsWith(
    await writeModelDir({ manifest: validManifest(), vocab: VOCAB, files: garbage }),
    'MODEL_FILE_CORRUPT',
    /encoder graph .* could not be loaded by ONNX Runtime/,
  );
});

async function editManifest(
  dir: string,
  edit: (manifest: Record<string, unknown>) => Record<string, unknown>,
): Promise<void> {
  const file = path.join(dir, 'manifest.json');
  await writeFile(file, JSON.stringify(edit(JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>)));
}

// Drops the manifest's checksums so a test reaches the checks behind them.
const withoutChecksums = ({ sha256: _, ...manifest }: Record<string, unknown>): Record<string, unknown> => manifest;

test('a damaged graph of a fixture model is MODEL_FILE_CORRUPT (checksum, or ONNX parse without one)', async () => {
  const dir = await copyOfFixtureModel('shapes-attention');
  const step = path.join(dir, 'step.onnx');
  const bytes = await readFile(step);
  await writeFile(step, bytes.subarray(0, Math.floor(bytes.length / 2)));
  const manifest = JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8')) as {
    sha256?: Record<string, string>;
  };
  if (manifest.sha256?.['step.onnx'])
    await rejectsWith(dir, 'MODEL_FILE_CORRUPT', /step\.onnx does not match the sha256/);
  await editManifest(dir, withoutChecksums);
  await rejectsWith(dir, 'MODEL_FILE_CORRUPT', /step graph .* could not be loaded by ONNX Runtime/);
});

test('a checksummed file that is missing is MODEL_FILE_MISSING', async () => {
  const dir = await copyOfFixtureModel('shapes-lstm');
  await editManifest(dir, (m) => ({ ...m, sha256: { ...(m.sha256 as object), 'extra.bin': 'ab'.repeat(32) } }));
  await rejectsWith(dir, 'MODEL_FILE_MISSING', /extra\.bin \(listed in manifest\.json sha256\) is missing/);
});

test('graphs whose input/output names differ from the contract are MODEL_GRAPH_MISMATCH', async () => {
  // Swapping the files makes every graph declare another graph's names.
  const dir = await copyOfFixtureModel('shapes-lstm');
  await editManifest(dir, (m) => {
    const files = m.files as Record<string, string>;
    return { ...m, files: { encoder: files.init, init: files.step, step: files.encoder } };
  });
  await rejectsWith(dir, 'MODEL_GRAPH_MISMATCH', /encoder .* has inputs \[features\], expected \[image\]/);

  // An lstm step graph declared as attention lacks `features` and `alpha`.
  const lstm = await copyOfFixtureModel('shapes-lstm');
  await editManifest(lstm, (m) => ({ ...m, variant: 'attention' }));
  await rejectsWith(
    lstm,
    'MODEL_GRAPH_MISMATCH',
    /step .* has inputs \[token, h, c\], expected \[token, h, c, features\]/,
  );
});

test('a vocabulary that does not fit the step graph is MODEL_GRAPH_MISMATCH', async () => {
  const dir = await copyOfFixtureModel('shapes-attention');
  const vocab = JSON.parse(await readFile(path.join(dir, 'vocab.json'), 'utf8')) as string[];
  await writeFile(path.join(dir, 'vocab.json'), JSON.stringify([...vocab, 'extra']));
  await editManifest(dir, withoutChecksums);
  await rejectsWith(dir, 'MODEL_GRAPH_MISMATCH', new RegExp(`has ${vocab.length + 1} tokens`));
});
