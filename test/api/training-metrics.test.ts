// A model's training metrics over GraphQL: CIDEr-D and ROUGE-L from manifests that carry them, null (not 0)
// for manifests exported before they were measured. Served from copies of the shapes fixtures whose manifests
// differ only in `metrics`; the model files are links to the fixtures'.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fixtureModelsDir } from '../model-dirs.js';
import { startTestApi, type TestApi } from './harness.js';
import { graphql } from '../generated/index.js';

const measured = { cider: 1.2345, rougeL: 0.5678 };

let api: TestApi;
let modelsDir: string;
before(async () => {
  modelsDir = await mkdtemp(path.join(os.tmpdir(), 'captioner-training-metrics-'));
  for (const id of ['shapes-lstm', 'shapes-attention']) {
    const source = path.join(fixtureModelsDir, id);
    const target = path.join(modelsDir, id);
    await mkdir(target);
    for (const name of await readdir(source)) {
      if (name !== 'manifest.json') await symlink(path.join(source, name), path.join(target, name));
    }
    const manifest = JSON.parse(await readFile(path.join(source, 'manifest.json'), 'utf8'));
    // shapes-lstm as `training rescore` leaves it for val only; shapes-attention as exported before.
    if (id === 'shapes-lstm') Object.assign(manifest.metrics.val, measured);
    await writeFile(path.join(target, 'manifest.json'), JSON.stringify(manifest));
  }
  api = await startTestApi({ CAPTIONER_MODELS_DIR: modelsDir, CAPTIONER_CAPTION_ON_UPLOAD: 'false' });
});
after(async () => {
  await api?.stop();
  if (modelsDir) await rm(modelsDir, { recursive: true, force: true });
});

test("trainingMetrics serves each manifest split's CIDEr-D and ROUGE-L, and null where the manifest lacks them", async () => {
  const { models } = await api.gql(
    graphql(`
      query TrainingMetricsModels {
        models {
          id
          loaded
          trainingMetrics {
            split
            bleu
            cider
            rougeL
          }
        }
      }
    `),
  );
  const byId = Object.fromEntries(models.map((m) => [m.id, m]));
  assert.ok(byId['shapes-lstm']?.loaded && byId['shapes-attention']?.loaded, 'the copied models load');
  const splits = (id: string) =>
    Object.fromEntries(byId[id]!.trainingMetrics.map((m) => [m.split, { cider: m.cider, rougeL: m.rougeL }]));
  assert.deepEqual(splits('shapes-lstm'), { VAL: measured, TEST: { cider: null, rougeL: null } });
  assert.deepEqual(splits('shapes-attention'), {
    VAL: { cider: null, rougeL: null },
    TEST: { cider: null, rougeL: null },
  });
  for (const model of models) for (const m of model.trainingMetrics) assert.equal(m.bleu.length, 4);
});
