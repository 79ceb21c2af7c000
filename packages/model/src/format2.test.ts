// Format 2 (models/README.md): shared encoders outside the model directory, init outputs beyond h and c
// fed to the step, and the manifest fields that come with them.
import assert from 'node:assert/strict';
import { copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, test } from 'node:test';

import { captionTogether, captionWithModels } from './caption-together.js';
import { fixtureModelDir } from './fixtures.js';
import { listModels, loadModel } from './load-model.js';
import type { CaptionModel, CaptionResult } from './model.js';
import { copyOfFixtureModel, rejectsWith, removeTempDirs, tempDir, writeModelDir } from './test-fixtures.js';
import { solidImage, TOY_VOCAB, toyGreedy, toyLogprobs, writeToyModel } from './test-toy-model.js';

const loaded: CaptionModel[] = [];
after(async () => {
  await Promise.all(loaded.map((m) => m.dispose()));
  await removeTempDirs();
});

async function load(dir: string, options: Parameters<typeof loadModel>[1] = {}): Promise<CaptionModel> {
  const model = await loadModel(dir, options);
  loaded.push(model);
  return model;
}

async function readManifest(dir: string): Promise<Record<string, unknown>> {
  return JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8')) as Record<string, unknown>;
}
async function writeManifest(dir: string, manifest: Record<string, unknown>): Promise<void> {
  await writeFile(path.join(dir, 'manifest.json'), JSON.stringify(manifest));
}

const ENCODER_PATH = '../encoders/shapes-attention-encoder.onnx';

/**
 * A models directory as training exports format 2: encoders/ with shapes-attention's encoder, and one
 * copy of shapes-attention per id that points at it (`files.encoder` and `sha256` by the relative path).
 */
async function modelsWithSharedEncoder(ids: string[]): Promise<{ root: string; dirs: string[] }> {
  const root = await tempDir('shared');
  await mkdir(path.join(root, 'encoders'));
  await copyFile(
    path.join(fixtureModelDir('shapes-attention'), 'encoder.onnx'),
    path.join(root, 'encoders', path.basename(ENCODER_PATH)),
  );
  const dirs: string[] = [];
  for (const id of ids) {
    const dir = path.join(root, id);
    await mkdir(dir);
    for (const file of ['init.onnx', 'step.onnx', 'vocab.json', 'golden.png']) {
      await copyFile(path.join(fixtureModelDir('shapes-attention'), file), path.join(dir, file));
    }
    const manifest = await readManifest(fixtureModelDir('shapes-attention'));
    const { 'encoder.onnx': encoderHash, ...sha256 } = manifest.sha256 as Record<string, string>;
    await writeManifest(dir, {
      ...manifest,
      format: 2,
      id,
      weights: 'float32',
      files: { ...(manifest.files as object), encoder: ENCODER_PATH },
      sha256: { ...sha256, [ENCODER_PATH]: encoderHash },
    });
    dirs.push(dir);
  }
  return { root, dirs };
}

function sameCaption(a: CaptionResult, b: CaptionResult, what: string): void {
  assert.deepEqual(a.tokens, b.tokens, what);
  assert.equal(a.tokenLogprobs.length, b.tokenLogprobs.length, what);
  a.tokenLogprobs.forEach((lp, i) =>
    assert.ok(Math.abs(lp - b.tokenLogprobs[i]!) <= 1e-5, `${what} logprob ${i}: ${lp} vs ${b.tokenLogprobs[i]}`),
  );
  assert.deepEqual(
    a.nBest.map((h) => h.tokens),
    b.nBest.map((h) => h.tokens),
    what,
  );
}

// --- manifest validation ---------------------------------------------------------------------------

test('format 2: a shared encoder that is not there is MODEL_FILE_MISSING, naming the resolved path', async () => {
  const { root, dirs } = await modelsWithSharedEncoder(['a']);
  await rm(path.join(root, 'encoders'), { recursive: true });
  await rejectsWith(
    dirs[0]!,
    'MODEL_FILE_MISSING',
    new RegExp(`shared encoder ${path.join(root, 'encoders')}/.*"${ENCODER_PATH}".*does not exist`),
  );
  // Also without a checksum to verify first (the graph check finds it).
  const manifest = await readManifest(dirs[0]!);
  const { [ENCODER_PATH]: _, ...sha256 } = manifest.sha256 as Record<string, string>;
  await writeManifest(dirs[0]!, { ...manifest, sha256, files: { ...(manifest.files as object), encoder: 'x.onnx' } });
  await rejectsWith(
    dirs[0]!,
    'MODEL_FILE_MISSING',
    /encoder graph .*x\.onnx \(manifest files\.encoder\) does not exist/,
  );
});

test('format 2: a shared encoder whose content differs from its sha256 is MODEL_FILE_CORRUPT', async () => {
  const { root, dirs } = await modelsWithSharedEncoder(['a']);
  await copyFile(
    path.join(fixtureModelDir('shapes-lstm'), 'encoder.onnx'),
    path.join(root, 'encoders', path.basename(ENCODER_PATH)),
  );
  await rejectsWith(dirs[0]!, 'MODEL_FILE_CORRUPT', /shapes-attention-encoder\.onnx does not match the sha256/);
});

test('format 2: encoder paths and checksums that break the contract are MODEL_MANIFEST_INVALID', async () => {
  const { dirs } = await modelsWithSharedEncoder(['a']);
  const manifest = await readManifest(dirs[0]!);
  const files = manifest.files as Record<string, string>;
  const sha256 = manifest.sha256 as Record<string, string>;
  const cases: [Record<string, unknown>, RegExp][] = [
    // A shared encoder must be checksummed under the same relative path.
    [{ sha256: { ...sha256, [ENCODER_PATH]: undefined } }, /must have an entry for the shared encoder/],
    [{ files: { ...files, encoder: '/abs/encoder.onnx' } }, /`files\.encoder` must be a relative path/],
    [{ files: { ...files, encoder: '..\\encoders\\x.onnx' } }, /`files\.encoder` must be a relative path/],
    [{ files: { ...files, encoder: '../encoders/' } }, /`files\.encoder` must be a relative path/],
    [{ files: { ...files, encoder: './encoder.onnx' } }, /`files\.encoder` must be a relative path/],
    // Only the encoder may leave the directory.
    [{ files: { ...files, init: '../encoders/init.onnx' } }, /`files\.init` must be a file name/],
    [{ sha256: { ...sha256, '../other.onnx': 'ab'.repeat(32) } }, /`sha256` must map file names/],
    [{ weights: 'bfloat16' }, /`weights` must be "float16" or "float32"/],
    // Format 1 keeps every file inside the directory.
    [{ format: 1 }, /not a valid format 1 manifest: `files\.encoder` must be a file name/],
  ];
  for (const [change, message] of cases) {
    await writeManifest(dirs[0]!, { ...manifest, ...change });
    await rejectsWith(dirs[0]!, 'MODEL_MANIFEST_INVALID', message);
  }
});

test("format 2: an lstm model may have a grid (a shared encoder's), format 1 only 1 x 1", async () => {
  const dir = await copyOfFixtureModel('shapes-lstm');
  const manifest = await readManifest(dir);
  await writeManifest(dir, { ...manifest, grid: { rows: 8, cols: 8 } });
  await rejectsWith(dir, 'MODEL_MANIFEST_INVALID', /`grid` must be 1 x 1 for the lstm variant in format 1/);
  // In format 2 the grid passes validation and is checked against the encoder's regions instead.
  await writeManifest(dir, { ...manifest, format: 2, grid: { rows: 8, cols: 8 } });
  await rejectsWith(dir, 'MODEL_GRAPH_MISMATCH', /encoder output features has 1 regions, the manifest grid 8x8/);
});

test('listModels skips encoders/ and other folders without a manifest', async () => {
  const { root } = await modelsWithSharedEncoder(['b', 'a']);
  await mkdir(path.join(root, 'notes'));
  await writeFile(path.join(root, 'README.md'), '# models\n');
  assert.deepEqual(await listModels(root), ['a', 'b']);
});

// --- extra init outputs ----------------------------------------------------------------------------

const COLOURS: [number, number, number][] = [
  [255, 0, 0], // red dot
  [0, 0, 255], // blue dot dot dot (blue also favours "dot": ends forced at maxLength)
  [0, 255, 0], // green dot
  [0, 0, 150], // blue dot
  [128, 0, 255], // blue dot dot dot
];

test('format 2: init outputs beyond h and c reach the step, one row per image for every beam', async () => {
  const model = await load(await writeToyModel(path.join(await tempDir('toy'), 'toy')));
  const images = await Promise.all(COLOURS.map((rgb) => solidImage(...rgb)));

  // Greedy, all images in one batch: exactly what the JavaScript reference of the graphs computes.
  const greedy = await model.caption(images, { beamSize: 1 });
  const words = greedy.map((r) => r.text);
  assert.deepEqual(words, ['red dot', 'blue dot dot dot', 'green dot', 'blue dot', 'blue dot dot dot']);
  greedy.forEach((result, i) => {
    const expected = toyGreedy(COLOURS[i]!, model.manifest.maxLength);
    assert.deepEqual(result.tokens, expected.tokens, `image ${i}`);
    result.tokenLogprobs.forEach((lp, k) =>
      assert.ok(Math.abs(lp - expected.logprobs[k]!) < 1e-5, `image ${i} token ${k}: ${lp} vs ${expected.logprobs[k]}`),
    );
  });

  // Beam search: images finish at different steps, so rows move; every hypothesis' log-probabilities are
  // still those of its own image's `projected`, and a batch decodes as each image alone.
  const beam = await model.caption(images, { beamSize: 3, nBest: 3 });
  for (const [i, result] of beam.entries()) {
    for (const h of result.nBest) {
      const previous = [1, ...h.tokens];
      h.tokenLogprobs.forEach((lp, k) => {
        const token = h.tokens[k] ?? 2;
        const expected = toyLogprobs(COLOURS[i]!, previous[k]!)[token]!;
        assert.ok(Math.abs(lp - expected) < 1e-5, `image ${i} "${h.text}" token ${k}: ${lp} vs ${expected}`);
      });
    }
    const [alone] = await model.caption([images[i]!], { beamSize: 3, nBest: 3 });
    sameCaption(result, alone!, `beam 3 image ${i}`);
  }
  // The attention maps are the step's alpha: 2 x 2, summing to 1.
  for (const map of greedy[0]!.attention!) {
    assert.equal(map.length, 2);
    assert.ok(Math.abs(map.flat().reduce((a, b) => a + b, 0) - 1) < 1e-6);
  }
  assert.equal(TOY_VOCAB[greedy[0]!.tokens[0]!], 'red');
});

test('format 2: an init output the step does not take, or a step input init does not give, is MODEL_GRAPH_MISMATCH', async () => {
  const root = await tempDir('toy-broken');
  await rejectsWith(
    await writeToyModel(path.join(root, 'no-step-input'), { stepTakesProjected: false }),
    'MODEL_GRAPH_MISMATCH',
    /step .* has inputs \[token, h, c, features\], expected \[token, h, c, features, projected\]/,
  );
  await rejectsWith(
    await writeToyModel(path.join(root, 'no-init-output'), { initOutputsProjected: false }),
    'MODEL_GRAPH_MISMATCH',
    /step .* has inputs \[token, h, c, features, projected\], expected \[token, h, c, features\]/,
  );
  // Format 1 knows no extra init outputs.
  await rejectsWith(
    await writeToyModel(path.join(root, 'format-1'), { format: 1 }),
    'MODEL_GRAPH_MISMATCH',
    /init .* has outputs \[h, c, projected\], expected \[h, c\]/,
  );
});

// --- shared encoder --------------------------------------------------------------------------------

test('models with the same encoder file and image spec share one encoder: loaded once, run once per image', async () => {
  const { dirs } = await modelsWithSharedEncoder(['a', 'b']);
  const [a, b] = [await load(dirs[0]!), await load(dirs[1]!)];
  const lstm = await load(fixtureModelDir('shapes-lstm'));
  assert.equal(a.encoder, b.encoder, 'one encoder object (one ONNX Runtime session) for both');
  assert.notEqual(a.encoder, lstm.encoder, 'a different encoder file is a different encoder');
  assert.equal(a.encoder.users, 2);
  assert.equal(a.encoder.sha256, ((await readManifest(dirs[0]!)).sha256 as Record<string, string>)[ENCODER_PATH]);

  const golden = await readFile(path.join(dirs[0]!, 'golden.png'));
  const images = [golden, await solidImage(200, 30, 30), await solidImage(30, 30, 200)];
  const count = (model: CaptionModel) => ({ runs: model.encoder.runs, images: model.encoder.imagesEncoded });

  // Separately: each model runs the encoder over the images.
  let before = count(a);
  const separate = [await a.caption(images), await b.caption(images), await lstm.caption(images)];
  assert.deepEqual(count(a), { runs: before.runs + 2, images: before.images + 6 });

  // Together: one pass over the three images for a and b; shapes-lstm runs its own encoder once.
  before = count(a);
  const lstmBefore = count(lstm);
  // Equal content in other objects is still the same image.
  const copies = images.map((bytes) => Buffer.from(bytes));
  const together = await captionTogether([
    { model: a, images },
    { model: lstm, images: copies },
    { model: b, images: copies },
  ]);
  assert.deepEqual(count(a), { runs: before.runs + 1, images: before.images + 3 });
  assert.deepEqual(count(lstm), { runs: lstmBefore.runs + 1, images: lstmBefore.images + 3 });
  // Same captions as captioning separately.
  [0, 2, 1].forEach((m, k) =>
    together[k]!.forEach((result, i) => sameCaption(result, separate[m]![i]!, `model ${k} image ${i}`)),
  );
  assert.deepEqual(together[0]![0]!.image, { mime: 'image/png', width: 64, height: 64 });

  // captionWithModels: the same images with each model, decode options for all.
  before = count(a);
  const withModels = await captionWithModels(images, [a, b], { beamSize: 1 });
  assert.deepEqual(count(a), { runs: before.runs + 1, images: before.images + 3 });
  assert.equal(withModels.length, 2);
  assert.deepEqual(
    withModels[0]!.map((r) => r.tokens),
    (await a.caption(images, { beamSize: 1 })).map((r) => r.tokens),
  );
  assert.deepEqual(withModels[1]![2]!.decode, { beamSize: 1, maxLength: 20, nBest: 1, lengthPenalty: 1 });
  await Promise.all([a, b, lstm].map((model) => model.dispose()));
  assert.equal(a.encoder.users, 0);
});

test('the shared encoder is keyed by content and image spec, and released with its last model', async () => {
  const { root, dirs } = await modelsWithSharedEncoder(['a', 'b', 'other-spec']);
  // A format 1 copy with its own encoder.onnx of the same content shares it too.
  const own = await copyOfFixtureModel('shapes-attention');
  const a = await load(dirs[0]!);
  const ownModel = await load(own);
  assert.equal(ownModel.encoder, a.encoder);
  // Equal encoder bytes but another normalisation: the encoder sees other inputs, so no sharing.
  const manifest = await readManifest(dirs[2]!);
  await writeManifest(dirs[2]!, { ...manifest, image: { ...(manifest.image as object), mean: [0.4, 0.5, 0.5] } });
  const otherSpec = await load(dirs[2]!);
  assert.notEqual(otherSpec.encoder, a.encoder);

  const image = await readFile(path.join(root, 'a', 'golden.png'));
  const before = a.encoder.imagesEncoded;
  const otherBefore = otherSpec.encoder.imagesEncoded;
  await captionWithModels([image], [a, otherSpec, ownModel]);
  assert.equal(a.encoder.imagesEncoded, before + 1);
  assert.equal(otherSpec.encoder.imagesEncoded, otherBefore + 1);

  // Disposing one user keeps the encoder for the others; a model loaded after the last user is gone
  // gets a new one.
  const b = await loadModel(dirs[1]!);
  const shared = a.encoder;
  assert.equal(shared.users, 3);
  await ownModel.dispose();
  await a.dispose();
  assert.equal(shared.users, 1);
  const [result] = await b.caption([image]);
  assert.ok(result!.text.length > 0);
  await b.dispose();
  assert.equal(shared.users, 0);
  const again = await load(dirs[1]!);
  assert.notEqual(again.encoder, shared);
  assert.equal(again.encoder.users, 1);
  await assert.rejects(captionWithModels([image], [again, a]), /model "a" was disposed/);
});

test('captionTogether validates every request before running any and keeps per-request options', async () => {
  const { dirs } = await modelsWithSharedEncoder(['a', 'b']);
  const [a, b] = [await load(dirs[0]!), await load(dirs[1]!)];
  const image = await readFile(path.join(dirs[0]!, 'golden.png'));
  const runs = a.encoder.runs;
  await assert.rejects(
    captionTogether([
      { model: a, images: [image] },
      { model: b, images: [image], options: { beamSize: 0 } },
    ]),
    { code: 'INVALID_DECODE_OPTIONS' },
  );
  assert.equal(a.encoder.runs, runs, 'nothing ran');
  const [first, second] = await captionTogether([
    { model: a, images: [image], options: { beamSize: 3, nBest: 3, maxLength: 3 } },
    { model: b, images: [image, image], options: { beamSize: 1 } },
  ]);
  assert.equal(first![0]!.nBest.length, 3);
  assert.ok(first![0]!.tokens.length <= 3);
  assert.equal(second!.length, 2);
  assert.equal(second![0]!.decode.beamSize, 1);
  assert.equal(a.encoder.runs, runs + 1);
  assert.deepEqual(await captionTogether([]), []);
  assert.deepEqual(await captionWithModels([], [a, b]), [[], []]);
});

test('a hand-written model directory loads the toy graphs through loadModel like an exported one', async () => {
  // Guards the test helper itself: the toy model is valid as written, so the failures above are the
  // runtime's checks and not a broken fixture.
  const dir = await writeModelDir({});
  await writeToyModel(dir);
  const model = await load(dir);
  assert.equal(model.manifest.format, 2);
  assert.equal(model.manifest.weights, 'float32');
  assert.deepEqual(model.vocab, TOY_VOCAB);
});
