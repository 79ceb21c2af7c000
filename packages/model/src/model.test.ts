import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, test } from 'node:test';

import sharp from 'sharp';

import { CaptionerError } from './errors.js';
import { loadModel } from './load-model.js';
import type { CaptionModel, CaptionResult } from './model.js';
import { fixtureModelDir, FIXTURE_MODELS, fixtureModelsDir, type FixtureModelId } from './fixtures.js';
import { removeTempDirs, tempDir } from './test-fixtures.js';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

interface Golden {
  image: string;
  tensor: { shape: number[]; sum: number; sumAbs: number };
  greedy: { tokens: number[]; words: string[]; logprobs: number[] };
  firstStep: { top: { token: number; logprob: number }[] };
}

const loaded: CaptionModel[] = [];
after(async () => {
  await Promise.all(loaded.map((m) => m.dispose()));
  await removeTempDirs();
});

async function load(id: FixtureModelId): Promise<{ model: CaptionModel; golden: Golden; goldenImage: Buffer }> {
  const dir = fixtureModelDir(id);
  const model = await loadModel(dir);
  loaded.push(model);
  const golden = JSON.parse(await readFile(path.join(dir, 'golden.json'), 'utf8')) as Golden;
  return { model, golden, goldenImage: await readFile(path.join(dir, golden.image)) };
}

// A few more inputs than the golden image: drawn scenes at several sizes, so decoding runs over
// images whose captions differ in length.
async function sceneImages(): Promise<Buffer[]> {
  const scenes = [
    '<rect width="100%" height="100%" fill="#dde"/><circle cx="30" cy="40" r="16" fill="red"/>',
    '<rect width="100%" height="100%" fill="#eee"/><rect x="10" y="10" width="30" height="30" fill="blue"/><circle cx="90" cy="70" r="14" fill="green"/>',
    '<rect width="100%" height="100%" fill="#ffd"/><polygon points="60,10 110,100 10,100" fill="purple"/>',
    '<rect width="100%" height="100%" fill="#cfc"/><circle cx="20" cy="20" r="10" fill="yellow"/><circle cx="60" cy="60" r="10" fill="orange"/><rect x="80" y="80" width="20" height="20" fill="red"/>',
  ];
  return Promise.all(
    scenes.map((body, i) =>
      sharp(Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${120 + i * 10}" height="120">${body}</svg>`))
        .png()
        .toBuffer(),
    ),
  );
}

// training/decode.py's beam search, one image at a time, through Debian's python3 + torch.
function pytorchBeamSearch(
  modelDir: string,
  files: string[],
  beamSizes: number[],
): { tokens: number[]; logprob: number }[][] {
  const script = `
import json, sys
from pathlib import Path
from PIL import Image
from training.decode import beam_search
from training.images import make_transform
from training.weights import load_model_dir
model_dir, beams, files = sys.argv[1], [int(b) for b in sys.argv[2].split(",")], sys.argv[3:]
model, cfg, _ = load_model_dir(Path(model_dir))
transform = make_transform(cfg.image_size, cfg.mean, cfg.std)
out = []
for beam in beams:
    out.append([])
    for f in files:
        tokens, logprob = beam_search(model, transform(Image.open(f)).unsqueeze(0), beam, cfg.max_length)[0]
        out[-1].append({"tokens": tokens, "logprob": logprob})
print(json.dumps(out))
`;
  const stdout = execFileSync(
    '/usr/bin/python3',
    ['-W', 'ignore', '-c', script, modelDir, beamSizes.join(','), ...files],
    {
      cwd: REPO_ROOT,
      encoding: 'utf8',
    },
  );
  return JSON.parse(stdout) as { tokens: number[]; logprob: number }[][];
}

function assertClose(actual: number, expected: number, tolerance: number, what: string): void {
  assert.ok(
    Math.abs(actual - expected) <= tolerance,
    `${what}: got ${actual}, expected ${expected} (tolerance ${tolerance})`,
  );
}

function sameCaption(a: CaptionResult, b: CaptionResult, tolerance: number, what: string): void {
  assert.deepEqual(a.tokens, b.tokens, what);
  assert.equal(a.tokenLogprobs.length, b.tokenLogprobs.length, what);
  a.tokenLogprobs.forEach((lp, i) => assertClose(lp, b.tokenLogprobs[i]!, tolerance, `${what} logprob ${i}`));
}

for (const id of FIXTURE_MODELS) {
  test(`${id}: preprocessing reproduces the golden input tensor`, async () => {
    const { model, golden, goldenImage } = await load(id);
    const { height, width } = model.manifest.image;
    assert.deepEqual(golden.tensor.shape, [1, 3, height, width]);
    const tensor = await model.preprocess(goldenImage);
    let sum = 0;
    let sumAbs = 0;
    for (const value of tensor) {
      sum += value;
      sumAbs += Math.abs(value);
    }
    // Both sides sum the same float32 values in float64, so only summation order differs (~1e-12);
    // one pixel off by one grey level would move the sum by 1/(255*std) > 0.01.
    const tolerance = Math.max(1e-6, golden.tensor.sumAbs * 1e-9);
    assertClose(sum, golden.tensor.sum, tolerance, 'tensor sum');
    assertClose(sumAbs, golden.tensor.sumAbs, tolerance, 'tensor sumAbs');
  });

  test(`${id}: greedy decoding reproduces PyTorch's golden tokens exactly and log-probabilities within 1e-4`, async () => {
    const { model, golden, goldenImage } = await load(id);
    const [result] = await model.caption([goldenImage], { beamSize: 1 });
    assert.ok(result);
    assert.deepEqual(result.tokens, golden.greedy.tokens);
    assert.deepEqual(result.words, golden.greedy.words);
    assert.equal(result.text, golden.greedy.words.join(' '));
    assert.equal(result.tokenLogprobs.length, golden.greedy.logprobs.length);
    result.tokenLogprobs.forEach((lp, i) =>
      assertClose(lp, golden.greedy.logprobs[i]!, 1e-4, `log-probability of token ${i}`),
    );
    assert.equal(result.ended, golden.greedy.tokens.length < model.manifest.maxLength);
    assert.ok(result.latencyMs > 0 && Number.isFinite(result.latencyMs));
    assert.deepEqual(result.image, {
      mime: 'image/png',
      width: model.manifest.image.width,
      height: model.manifest.image.height,
    });
  });

  test(`${id}: the first step's top 5 tokens and log-probabilities match PyTorch's`, async () => {
    const { model, golden, goldenImage } = await load(id);
    const logprobs = await model.nextTokenLogprobs(goldenImage);
    assert.equal(logprobs.length, model.vocab.length);
    const top = Array.from(logprobs.keys())
      .sort((a, b) => logprobs[b]! - logprobs[a]! || a - b)
      .slice(0, 5);
    assert.deepEqual(
      top,
      golden.firstStep.top.map((t) => t.token),
    );
    top.forEach((token, i) =>
      assertClose(logprobs[token]!, golden.firstStep.top[i]!.logprob, 1e-4, `first-step log-probability ${i}`),
    );
    // Teacher forcing the golden tokens reproduces each greedy step too.
    const tokens = golden.greedy.tokens;
    const last = await model.nextTokenLogprobs(goldenImage, tokens.slice(0, -1));
    assertClose(
      last[tokens.at(-1) ?? model.manifest.specials.end]!,
      golden.greedy.logprobs[Math.max(0, tokens.length - 1)]!,
      1e-4,
      'last word',
    );
  });

  test(`${id}: greedy decoding and beam search with beam 1 give identical captions`, async () => {
    const { model, goldenImage } = await load(id);
    const images = [goldenImage, ...(await sceneImages())];
    const greedy = await model.caption(images, { beamSize: 1, strategy: 'greedy' });
    const beam1 = await model.caption(images, { beamSize: 1, strategy: 'beam' });
    greedy.forEach((g, i) => sameCaption(g, beam1[i]!, 0, `image ${i}`));
  });

  test(`${id}: beam search returns distinct n-best hypotheses ranked by length-normalised score`, async () => {
    const { model, goldenImage } = await load(id);
    for (const lengthPenalty of [1, 0, 0.7]) {
      const results = await model.caption([goldenImage, ...(await sceneImages())], {
        beamSize: 5,
        nBest: 5,
        lengthPenalty,
      });
      for (const result of results) {
        assert.equal(result.nBest.length, 5);
        assert.deepEqual(result.nBest[0]!.tokens, result.tokens);
        const seen = new Set<string>();
        result.nBest.forEach((h, rank) => {
          const sum = h.tokenLogprobs.reduce((a, b) => a + b, 0);
          assertClose(h.logprob, sum, 1e-9, 'logprob is the sum of token log-probabilities');
          assertClose(h.score, h.logprob / Math.pow(h.tokenLogprobs.length, lengthPenalty), 1e-9, 'score');
          assert.equal(h.tokenLogprobs.length, h.tokens.length + 1);
          assert.ok(h.tokenLogprobs.every((lp) => lp <= 0));
          if (rank > 0) assert.ok(result.nBest[rank - 1]!.score >= h.score, `rank ${rank} out of order`);
          const key = `${h.tokens.join(',')}|${h.ended}`;
          assert.ok(!seen.has(key), 'duplicate hypothesis');
          seen.add(key);
        });
      }
    }
  });

  test(`${id}: a batch of images and their beams decodes exactly as each image alone`, async () => {
    const { model, goldenImage } = await load(id);
    const images = [goldenImage, ...(await sceneImages())];
    for (const beamSize of [1, 3]) {
      const together = await model.caption(images, { beamSize, nBest: beamSize });
      for (let i = 0; i < images.length; i++) {
        const [alone] = await model.caption([images[i]!], { beamSize, nBest: beamSize });
        sameCaption(together[i]!, alone!, 1e-5, `beam ${beamSize} image ${i}`);
        assert.deepEqual(
          together[i]!.nBest.map((h) => h.tokens),
          alone!.nBest.map((h) => h.tokens),
        );
      }
    }
  });

  test(`${id}: beam search finds the same captions as PyTorch (training/decode.py) on the same pixels`, async () => {
    const { model, goldenImage } = await load(id);
    const { height, width } = model.manifest.image;
    // Model-resolution PNGs, so both sides decode identical pixels and only the decoding is compared.
    const dir = await tempDir('pytorch-beam');
    const files = [path.join(dir, 'golden.png')];
    await writeFile(files[0]!, goldenImage);
    for (const [i, scene] of (await sceneImages()).entries()) {
      files.push(path.join(dir, `scene${i}.png`));
      await sharp(scene).resize(width, height, { fit: 'fill' }).png().toFile(files.at(-1)!);
    }
    const beamSizes = [1, 3, 5];
    const pytorch = pytorchBeamSearch(fixtureModelDir(id), files, beamSizes);
    for (const [b, beamSize] of beamSizes.entries()) {
      const expected = pytorch[b]!;
      const ours = await model.caption(await Promise.all(files.map((f) => readFile(f))), { beamSize });
      ours.forEach((result, i) => {
        assert.deepEqual(result.tokens, expected[i]!.tokens, `beam ${beamSize}, ${path.basename(files[i]!)}`);
        assertClose(
          result.logprob,
          expected[i]!.logprob,
          1e-4,
          `beam ${beamSize}, ${path.basename(files[i]!)} logprob`,
        );
      });
    }
  });

  test(`${id}: maxLength caps the caption; the end token is then forced and scored`, async () => {
    const { model, goldenImage } = await load(id);
    for (const beamSize of [1, 3]) {
      const results = await model.caption([goldenImage, ...(await sceneImages())], {
        beamSize,
        nBest: beamSize,
        maxLength: 2,
      });
      const hypotheses = results.flatMap((r) => r.nBest);
      for (const h of hypotheses) {
        assert.ok(h.tokens.length <= 2);
        assert.equal(h.tokenLogprobs.length, h.tokens.length + 1);
        if (!h.ended) assert.equal(h.tokens.length, 2);
      }
      assert.ok(
        hypotheses.some((h) => !h.ended),
        'shapes captions are longer than 2 words, so some end is forced',
      );
    }
  });
}

test('more images than maxBatchSize are decoded in chunks with the same results', async () => {
  const { model, goldenImage } = await load('shapes-attention');
  const small = await loadModel(fixtureModelDir('shapes-attention'), { maxBatchSize: 2 });
  loaded.push(small);
  assert.notEqual(small, model);
  const images = [goldenImage, ...(await sceneImages())];
  const chunked = await small.caption(images, { beamSize: 3, nBest: 2 });
  const whole = await model.caption(images, { beamSize: 3, nBest: 2 });
  assert.equal(chunked.length, images.length);
  chunked.forEach((r, i) => sameCaption(r, whole[i]!, 1e-5, `image ${i}`));
  // Later chunks wait for earlier ones, and latency counts from the call's start.
  assert.ok(chunked.at(-1)!.latencyMs >= chunked[0]!.latencyMs);
});

test('shapes-attention: one rows x cols attention map per word, each summing to 1', async () => {
  const { model, goldenImage } = await load('shapes-attention');
  const { rows, cols } = model.manifest.grid;
  assert.ok(rows * cols > 1, 'the attention model attends over more than one region');
  const results = await model.caption([goldenImage, ...(await sceneImages())], { beamSize: 3, nBest: 3 });
  for (const h of results.flatMap((r) => r.nBest)) {
    assert.ok(h.attention);
    assert.equal(h.attention.length, h.tokens.length);
    for (const map of h.attention) {
      assert.equal(map.length, rows);
      assert.ok(map.every((row) => row.length === cols && row.every((w) => w >= 0 && w <= 1)));
      assertClose(
        map.flat().reduce((a, b) => a + b, 0),
        1,
        1e-5,
        'attention sum',
      );
    }
  }
  // Maps differ between words: the model looks at different places.
  const words = results[1]!.attention!;
  if (words.length > 1) assert.notDeepEqual(words[0], words.at(-1));
});

test('shapes-lstm: captions carry no attention maps', async () => {
  const { model, goldenImage } = await load('shapes-lstm');
  const [result] = await model.caption([goldenImage]);
  assert.equal(result!.attention, undefined);
});

test('CUDA requested where ONNX Runtime has no CUDA provider: CPU fallback with a warning, same captions', async (t) => {
  const warnings: string[] = [];
  const model = await loadModel(fixtureModelDir('shapes-lstm'), {
    executionProvider: 'cuda',
    logger: { warn: (m) => warnings.push(m) },
  });
  loaded.push(model);
  if (model.executionProvider === 'cuda') {
    t.skip('this machine has a working CUDA provider; the fallback cannot be observed here');
    return;
  }
  assert.equal(model.executionProvider, 'cpu');
  assert.equal(warnings.length, 1);
  assert.match(warnings[0]!, /CUDA was requested but is not usable .*running on the CPU/);
  const { model: cpu, goldenImage } = await load('shapes-lstm');
  assert.notEqual(cpu, model);
  sameCaption(
    (await model.caption([goldenImage]))[0]!,
    (await cpu.caption([goldenImage]))[0]!,
    0,
    'cuda-fallback vs cpu',
  );
});

test('loadModel reuses a loaded model (by path or id) until every caller has disposed it', async () => {
  const a = await loadModel(fixtureModelDir('shapes-lstm'), { intraOpNumThreads: 1 });
  const b = await loadModel('shapes-lstm', { intraOpNumThreads: 1, modelsDir: fixtureModelsDir() });
  assert.equal(a, b);
  await a.dispose();
  // The other caller (say, a second server in the same process) still captions with it.
  const image = await readFile(path.join(fixtureModelDir('shapes-lstm'), 'golden.png'));
  assert.ok((await b.caption([image]))[0]!.text.length > 0);
  await b.dispose();
  const c = await loadModel('shapes-lstm', { intraOpNumThreads: 1, modelsDir: fixtureModelsDir() });
  loaded.push(c);
  assert.notEqual(c, a);
  await assert.rejects(a.caption([]), /disposed/);
});

test('decode settings out of range are INVALID_DECODE_OPTIONS', async () => {
  const { model, goldenImage } = await load('shapes-lstm');
  for (const options of [
    { beamSize: 0 },
    { beamSize: 11 },
    { beamSize: 2.5 },
    { beamSize: 3, nBest: 4 },
    { maxLength: 0 },
    { maxLength: 101 },
    { lengthPenalty: -1 },
    { beamSize: 3, strategy: 'greedy' as const },
  ]) {
    await assert.rejects(model.caption([goldenImage], options), (error: unknown) => {
      assert.ok(error instanceof CaptionerError);
      assert.equal(error.code, 'INVALID_DECODE_OPTIONS', JSON.stringify(options));
      return true;
    });
  }
});

test('caption() refuses bad images with their image error codes', async () => {
  const { model, goldenImage } = await load('shapes-attention');
  await assert.rejects(model.caption([goldenImage, Buffer.from('not an image')]), { code: 'UNSUPPORTED_IMAGE' });
  await assert.rejects(model.caption([goldenImage.subarray(0, goldenImage.length - 20)]), { code: 'CORRUPT_IMAGE' });
  await assert.rejects(model.caption([goldenImage], { imageLimits: { maxBytes: 10 } }), { code: 'IMAGE_TOO_LARGE' });
  assert.deepEqual(await model.caption([]), []);
});

test('captionTensors gives the same captions as caption() on the preprocessed images', async () => {
  const { model, goldenImage } = await load('shapes-attention');
  const images = [goldenImage, ...(await sceneImages())];
  const tensors = await Promise.all(images.map((image) => model.preprocess(image)));
  const fromTensors = await model.captionTensors(tensors, { beamSize: 3 });
  const fromBytes = await model.caption(images, { beamSize: 3 });
  fromTensors.forEach((r, i) => sameCaption(r, fromBytes[i]!, 0, `image ${i}`));
  assert.equal(fromTensors[0]!.image, null);
  await assert.rejects(model.captionTensors([new Float32Array(5)]), /needs 3 x/);
});
