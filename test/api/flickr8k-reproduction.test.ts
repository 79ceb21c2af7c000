// The shipped Flickr8k models in the app reproduce training's test BLEU. The demo gallery (demo/flickr8k-test:
// Flickr8k's 1000 official test photos with their five reference captions) is imported the way `npm start`
// imports it, then one evaluation run per shipped model is started over HTTP on the imported TEST split with the
// decode settings the manifest's test metrics were measured with. Each run's corpus BLEU-1..4 and ROUGE-L must be
// within 0.005, and its CIDEr-D within 0.015, of manifest.metrics.test, written by training/ from the same 1000
// images. CIDEr-D (a 0..10 scale) also weighs repeated references, and the gallery stores an image's references
// once while Flickr8k lists one test photo's caption twice: measured, that moves it by about 4e-4. The expected numbers are
// read from each manifest, never written here. The two runs execute together and (nearly) each photo goes
// through the shared ResNet50 once for both models (checked). Slow on purpose: 1000 photos through ResNet50 and a beam search
// per model (the durations are printed).
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { demoDataset, demoDir, ensureDemoGallery, readDataset } from '@captioner/api';
import { shippedModelsDir } from '../model-dirs.js';
import { ADMIN, startTestApi, waitUntil, type TestApi } from './harness.js';
import { graphql } from '../generated/index.js';

const tolerance = 0.005;
const ciderTolerance = 0.015;
const shipped = ['flickr8k-lstm', 'flickr8k-attention'] as const;

interface TestMetrics {
  bleu: number[];
  cider: number;
  rougeL: number;
  decode: { beamSize: number; maxLength: number };
}

async function manifestTestMetrics(id: string): Promise<{ test: TestMetrics; splits: { test?: number } }> {
  const file = path.join(shippedModelsDir, id, 'manifest.json');
  const manifest = JSON.parse(await readFile(file, 'utf8')) as {
    dataset?: { splits?: { test?: number } };
    metrics?: { test?: TestMetrics };
  };
  const test = manifest.metrics?.test;
  assert.ok(
    test &&
      Array.isArray(test.bleu) &&
      test.bleu.length === 4 &&
      typeof test.cider === 'number' &&
      typeof test.rougeL === 'number' &&
      test.decode,
    `${file} has no metrics.test bleu[4], cider and rougeL with decode settings`,
  );
  return { test, splits: manifest.dataset?.splits ?? {} };
}

let api: TestApi;
before(async () => {
  api = await startTestApi({ CAPTIONER_MODELS_DIR: shippedModelsDir, CAPTIONER_CAPTION_ON_UPLOAD: 'false' });
});
after(async () => {
  await api?.stop();
});

graphql(`
  fragment ReproductionRun on EvaluationRun {
    id
    status
    processed
    total
    bleu
    cider
    rougeL
    decode {
      beamSize
      maxLength
    }
    split
    dataset
    error
    model {
      id
    }
  }
`);

test('evaluation runs on the imported Flickr8k test split reproduce the manifests’ test BLEU', async (t) => {
  const { models } = await api.gql(
    graphql(`
      query Flickr8kReproductionModels {
        models {
          id
          loaded
          variant
        }
      }
    `),
  );
  for (const id of shipped) {
    assert.ok(
      models.some((m) => m.id === id && m.loaded),
      `${id} is loaded from ${shippedModelsDir}: ${JSON.stringify(models)}`,
    );
  }

  // Import the demo gallery exactly as the first `npm start` does (captioning is left to the runs below).
  const started = Date.now();
  const demo = await readDataset(demoDir);
  assert.equal(demo.examples.length, 1000, 'the demo gallery is the whole official test split');
  assert.ok(demo.examples.every((e) => e.split === 'test' && e.captions.length === 5));
  const imported = await ensureDemoGallery(api.service.services, { log: () => undefined, caption: false });
  assert.ok(imported, 'a fresh database imports the demo gallery');
  assert.deepEqual([imported.created, imported.failed], [1000, 0], JSON.stringify(imported.failures));
  assert.equal(
    await ensureDemoGallery(api.service.services, { log: () => undefined, caption: false }),
    null,
    'a second start finds it complete and imports nothing',
  );
  const importSeconds = (Date.now() - started) / 1000;
  const { images } = await api.gql(
    graphql(`
      query Flickr8kReproductionImages($d: String) {
        images(first: 1, filter: { split: TEST, dataset: $d, hasReferences: true }) {
          totalCount
        }
      }
    `),
    { d: demoDataset },
  );
  assert.equal(images.totalCount, 1000, 'stored as the TEST split of dataset "flickr8k", with references');

  // Both runs at once; the runner works through them one after the other.
  const expected = new Map<string, TestMetrics>();
  const runIds = new Map<string, string>();
  for (const id of shipped) {
    const { test: metrics, splits } = await manifestTestMetrics(id);
    if (splits.test !== undefined) assert.equal(splits.test, 1000, `${id} was evaluated on 1000 test images`);
    expected.set(id, metrics);
    const { startEvaluationRun } = await api.gql(
      graphql(`
        mutation ReproductionStart($input: StartEvaluationRunInput!) {
          startEvaluationRun(input: $input) {
            run {
              ...ReproductionRun
            }
          }
        }
      `),
      {
        input: {
          modelId: id,
          split: 'TEST',
          dataset: demoDataset,
          beamSize: metrics.decode.beamSize,
          maxLength: metrics.decode.maxLength,
        },
      },
      ADMIN,
    );
    runIds.set(id, startEvaluationRun.run.id);
  }

  const durations: string[] = [];
  let previous = Date.now();
  for (const id of shipped) {
    const run = await waitUntil(
      `the evaluation run of ${id}`,
      async () => {
        const { evaluationRun } = await api.gql(
          graphql(`
            query ReproductionRunById($id: ID!) {
              evaluationRun(id: $id) {
                ...ReproductionRun
              }
            }
          `),
          { id: runIds.get(id)! },
        );
        assert.notEqual(evaluationRun!.status, 'FAILED', evaluationRun!.error ?? '');
        return evaluationRun!.status === 'SUCCEEDED' ? evaluationRun : null;
      },
      60 * 60_000,
    );
    durations.push(`${id} ${((Date.now() - previous) / 1000).toFixed(0)} s`);
    previous = Date.now();
    const want = expected.get(id)!;
    assert.equal(run.model.id, id);
    assert.deepEqual([run.split, run.dataset, run.total, run.processed], ['TEST', demoDataset, 1000, 1000]);
    assert.deepEqual(run.decode, { beamSize: want.decode.beamSize, maxLength: want.decode.maxLength });
    assert.equal(run.bleu?.length, 4);
    const report = run.bleu!.map((v, i) => `BLEU-${i + 1} ${v.toFixed(4)} vs ${want.bleu[i]!.toFixed(4)}`).join(', ');
    t.diagnostic(`${id} (beam ${want.decode.beamSize}, max ${want.decode.maxLength}): ${report}`);
    run.bleu!.forEach((v, i) =>
      assert.ok(
        Math.abs(v - want.bleu[i]!) <= tolerance,
        `${id} BLEU-${i + 1}: the app measured ${v.toFixed(4)}, training ${want.bleu[i]!.toFixed(4)} (tolerance ${tolerance}); ${report}`,
      ),
    );
    t.diagnostic(`${id}: CIDEr-D ${run.cider} vs ${want.cider}, ROUGE-L ${run.rougeL} vs ${want.rougeL}`);
    assert.ok(
      Math.abs(run.cider! - want.cider) <= ciderTolerance,
      `${id} CIDEr-D ${run.cider} vs training ${want.cider}`,
    );
    assert.ok(
      Math.abs(run.rougeL! - want.rougeL) <= tolerance,
      `${id} ROUGE-L ${run.rougeL} vs training ${want.rougeL}`,
    );
  }
  // The two models share one ResNet50 and the runs execute together, so nearly every photo went through it once
  // for both (2000 passes without sharing; the first run's first chunk may be queued before the second run
  // starts and joins at the next chunk, so a few dozen photos can be encoded twice).
  const encoders = new Set(
    api.service.services.registry
      .loaded()
      .filter((m) => (shipped as readonly string[]).includes(m.id))
      .map((m) => m.encoder),
  );
  assert.equal(encoders.size, 1, 'both Flickr8k models use the same encoder instance');
  const [encoder] = encoders;
  t.diagnostic(`encoder: ${encoder!.imagesEncoded} images encoded in ${encoder!.runs} calls`);
  assert.ok(
    encoder!.imagesEncoded >= 1000 && encoder!.imagesEncoded < 1100,
    `the runs shared the encoder: ${encoder!.imagesEncoded} images encoded for 2 x 1000 captions`,
  );
  t.diagnostic(
    `import ${importSeconds.toFixed(0)} s; evaluation ${durations.join(', ')}; total ${((Date.now() - started) / 1000).toFixed(0)} s`,
  );
});
