import assert from 'node:assert/strict';
// Shared by the tests (not built): the fixture models (fixtures.ts) and hand-made model directories.
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { CaptionerError, type CaptionerErrorCode } from './errors.js';
import { fixtureModelDir, type FixtureModelId } from './fixtures.js';
import { loadModel } from './load-model.js';

const created: string[] = [];

export async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), `captioner-model-${prefix}-`));
  created.push(dir);
  return dir;
}

/** Removes every directory tempDir() made; call from after(). */
export async function removeTempDirs(): Promise<void> {
  await Promise.all(created.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
}

/** A copy of a fixture model directory that a test may break. */
export async function copyOfFixtureModel(id: FixtureModelId): Promise<string> {
  const dir = path.join(await tempDir(id), id);
  await cp(fixtureModelDir(id), dir, { recursive: true, dereference: true });
  return dir;
}

export function validManifest(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    format: 1,
    id: 'handmade',
    variant: 'attention',
    dataset: { name: 'shapes', splits: { train: 1, val: 1, test: 1 } },
    image: { height: 16, width: 16, mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25], resize: 'fill' },
    grid: { rows: 2, cols: 2 },
    vocab: 'vocab.json',
    specials: { pad: 0, start: 1, end: 2, unk: 3 },
    maxLength: 20,
    files: { encoder: 'encoder.onnx', init: 'init.onnx', step: 'step.onnx' },
    params: { trainable: 1, frozen: 0, total: 1 },
    metrics: { test: { loss: 1, bleu: [0.5, 0.4, 0.3, 0.2], decode: { beamSize: 3, maxLength: 20 } } },
    hyperparameters: {},
    ...overrides,
  };
}

/** Writes a model directory by hand: manifest (object or raw text), vocab, and the given files. */
export async function writeModelDir(options: {
  manifest?: Record<string, unknown> | string;
  vocab?: unknown;
  files?: Record<string, string | Uint8Array>;
}): Promise<string> {
  const dir = await tempDir('handmade');
  if (options.manifest !== undefined) {
    const text = typeof options.manifest === 'string' ? options.manifest : JSON.stringify(options.manifest);
    await writeFile(path.join(dir, 'manifest.json'), text);
  }
  if (options.vocab !== undefined) await writeFile(path.join(dir, 'vocab.json'), JSON.stringify(options.vocab));
  for (const [name, content] of Object.entries(options.files ?? {})) await writeFile(path.join(dir, name), content);
  return dir;
}

/** Asserts that loading `dir` fails with a CaptionerError of this code and a matching message. */
export async function rejectsWith(dir: string, code: CaptionerErrorCode, message: RegExp): Promise<void> {
  await assert.rejects(loadModel(dir), (error: unknown) => {
    assert.ok(error instanceof CaptionerError, `expected CaptionerError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    assert.match(error.message, message);
    return true;
  });
}
