// The shipped Flickr8k models (models/flickr8k-{lstm,attention}, format 2, one shared ResNet50 encoder in
// models/encoders/): parity with PyTorch's golden.json, attention maps, and the shared encoder pass.
// Expected values come from each model's golden.json, never from this file, so a re-export with other
// weights needs no test change. Skipped (with the reason) while the models are not in models/.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import ort from 'onnxruntime-node';
import sharp from 'sharp';

import { captionWithModels } from './caption-together.js';
import { loadModel } from './load-model.js';
import type { CaptionModel } from './model.js';

const MODELS_DIR = fileURLToPath(new URL('../../../models', import.meta.url));
const IDS = ['flickr8k-lstm', 'flickr8k-attention'] as const;
type Id = (typeof IDS)[number];

// The shipped models are part of the repository: a missing one is a failure, never a skip.
function skipUnless(...ids: Id[]): false {
  const missing = ids.filter((id) => !existsSync(path.join(MODELS_DIR, id, 'manifest.json')));
  if (missing.length > 0) {
    throw new Error(
      `${missing.map((id) => path.join(MODELS_DIR, id)).join(' and ')} missing (python3 -m training export)`,
    );
  }
  return false;
}

interface Golden {
  image: string;
  tensor: { shape: number[]; sum: number; sumAbs: number };
  greedy: { tokens: number[]; words: string[]; logprobs: number[] };
  firstStep: { top: { token: number; logprob: number }[] };
}

const models = new Map<Id, Promise<CaptionModel>>();
after(async () => {
  await Promise.all([...models.values()].map(async (m) => (await m).dispose()));
});

async function load(id: Id): Promise<{ model: CaptionModel; golden: Golden; goldenImage: Buffer }> {
  if (!models.has(id)) models.set(id, loadModel(path.join(MODELS_DIR, id)));
  const model = await models.get(id)!;
  const golden = JSON.parse(await readFile(path.join(model.dir, 'golden.json'), 'utf8')) as Golden;
  return { model, golden, goldenImage: await readFile(path.join(model.dir, golden.image)) };
}

function assertClose(actual: number, expected: number, tolerance: number, what: string): void {
  assert.ok(
    Math.abs(actual - expected) <= tolerance,
    `${what}: got ${actual}, expected ${expected} (tolerance ${tolerance})`,
  );
}

for (const id of IDS) {
  const skip = skipUnless(id);
  test(`${id}: format 2 with the shared ResNet50 encoder, features 7 x 7 x 2048`, { skip }, async () => {
    const { model } = await load(id);
    assert.equal(model.manifest.format, 2);
    assert.match(model.manifest.files.encoder, /^\.\.\/encoders\//);
    assert.deepEqual(model.manifest.grid, { rows: 7, cols: 7 });
    assert.ok(model.manifest.weights === 'float16' || model.manifest.weights === 'float32');
    const { height, width } = model.manifest.image;
    const session = await ort.InferenceSession.create(path.resolve(model.dir, model.manifest.files.encoder));
    const { features } = await session.run({
      image: new ort.Tensor('float32', new Float32Array(3 * height * width), [1, 3, height, width]),
    });
    await session.release();
    assert.deepEqual(features!.dims, [1, 49, 2048]);
  });

  test(`${id}: preprocessing reproduces the golden input tensor`, { skip }, async () => {
    const { model, golden, goldenImage } = await load(id);
    const { height, width } = model.manifest.image;
    assert.deepEqual(golden.tensor.shape, [1, 3, height, width]);
    let sum = 0;
    let sumAbs = 0;
    for (const value of await model.preprocess(goldenImage)) {
      sum += value;
      sumAbs += Math.abs(value);
    }
    // Same float32 values summed in float64 on both sides: only the order differs.
    const tolerance = Math.max(1e-6, golden.tensor.sumAbs * 1e-9);
    assertClose(sum, golden.tensor.sum, tolerance, 'tensor sum');
    assertClose(sumAbs, golden.tensor.sumAbs, tolerance, 'tensor sumAbs');
  });

  test(
    `${id}: greedy decoding gives PyTorch's golden tokens exactly, log-probabilities within 1e-4`,
    { skip },
    async () => {
      const { model, golden, goldenImage } = await load(id);
      const [result] = await model.caption([goldenImage], { beamSize: 1 });
      assert.deepEqual(result!.tokens, golden.greedy.tokens);
      assert.deepEqual(result!.words, golden.greedy.words);
      assert.equal(result!.tokenLogprobs.length, golden.greedy.logprobs.length);
      result!.tokenLogprobs.forEach((lp, i) => assertClose(lp, golden.greedy.logprobs[i]!, 1e-4, `log-prob ${i}`));
    },
  );

  test(`${id}: the first step's 5 best log-probabilities match PyTorch's`, { skip }, async () => {
    const { model, golden, goldenImage } = await load(id);
    const logprobs = await model.nextTokenLogprobs(goldenImage);
    assert.equal(logprobs.length, model.vocab.length);
    for (const { token, logprob } of golden.firstStep.top)
      assertClose(logprobs[token]!, logprob, 1e-4, `token ${token}`);
    // The best five values agree too (compared as values: near-ties may order differently).
    const ours = [...logprobs].sort((a, b) => b - a).slice(0, golden.firstStep.top.length);
    ours.forEach((lp, i) => assertClose(lp, golden.firstStep.top[i]!.logprob, 1e-4, `rank ${i}`));
  });
}

test(
  'flickr8k-attention: one 7 x 7 attention map per word, each summing to 1',
  { skip: skipUnless('flickr8k-attention') },
  async () => {
    const { model, goldenImage } = await load('flickr8k-attention');
    const [result] = await model.caption([goldenImage], { beamSize: 3, nBest: 3 });
    for (const h of result!.nBest) {
      assert.equal(h.attention!.length, h.tokens.length);
      for (const map of h.attention!) {
        assert.equal(map.length, 7);
        assert.ok(map.every((row) => row.length === 7 && row.every((w) => w >= 0 && w <= 1)));
        assertClose(
          map.flat().reduce((a, b) => a + b, 0),
          1,
          1e-5,
          'attention sum',
        );
      }
    }
  },
);

test('flickr8k-lstm: no attention maps although its grid is 7 x 7', { skip: skipUnless('flickr8k-lstm') }, async () => {
  const { model, goldenImage } = await load('flickr8k-lstm');
  const [result] = await model.caption([goldenImage], { beamSize: 1 });
  assert.equal(result!.attention, undefined);
});

test(
  'both Flickr8k models share one encoder: one pass per image captions with both',
  { skip: skipUnless(...IDS) },
  async () => {
    const lstm = await load('flickr8k-lstm');
    const attention = await load('flickr8k-attention');
    assert.equal(lstm.model.encoder, attention.model.encoder);
    // Both goldens (the same test image when both models were exported from one split) and a mirrored one.
    const images = [lstm.goldenImage, attention.goldenImage, await sharp(lstm.goldenImage).flop().png().toBuffer()];
    const distinct = new Set(images.map((b) => b.toString('base64'))).size;
    const before = lstm.model.encoder.imagesEncoded;
    const runs = lstm.model.encoder.runs;
    const [fromLstm, fromAttention] = await captionWithModels(images, [lstm.model, attention.model], { beamSize: 1 });
    assert.equal(lstm.model.encoder.imagesEncoded, before + distinct);
    assert.equal(lstm.model.encoder.runs, runs + 1);
    // The goldens again, now from the shared pass: each model's caption of its own golden image.
    assert.deepEqual(fromLstm![0]!.tokens, lstm.golden.greedy.tokens);
    assert.deepEqual(fromAttention![1]!.tokens, attention.golden.greedy.tokens);
    // And the mirrored image as each model captions it alone.
    assert.deepEqual(fromLstm![2]!.tokens, (await lstm.model.caption([images[2]!], { beamSize: 1 }))[0]!.tokens);
    assert.deepEqual(
      fromAttention![2]!.tokens,
      (await attention.model.caption([images[2]!], { beamSize: 1 }))[0]!.tokens,
    );
  },
);
