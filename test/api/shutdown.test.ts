// Graceful shutdown: running captioning finishes, queued captioning and an interrupted evaluation run are picked
// up again by the next start on the same data directory, and nothing is lost.
import assert from 'node:assert/strict';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { importAndWait, ADMIN, loadedModels, startTestApi, waitUntil } from './harness.js';
import { makePng } from './png.js';
import { graphql } from '../generated/index.js';

let dataDir: string | null = null;
after(async () => {
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

test('work cut short by a shutdown is finished by the next start', async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'captioner-shutdown-'));
  await chmod(dataDir, 0o755);
  const env = { CAPTIONER_DATA_DIR: path.join(dataDir, 'data'), CAPTIONER_CAPTION_CONCURRENCY: '1' };

  const t0 = Date.now();
  const mark = (what: string) =>
    process.env.TEST_API_LOG && console.error(`${what} at +${((Date.now() - t0) / 1000).toFixed(1)} s`);
  const first = await startTestApi(env);
  mark('first up');
  await importAndWait(first, { path: 'flickr8k' });
  const [model] = await loadedModels(first);
  const { startEvaluationRun } = await first.gql(
    graphql(`
      mutation ShutdownStartEvaluationRun($m: ID!) {
        startEvaluationRun(input: { modelId: $m, split: TRAIN, beamSize: 7 }) {
          run {
            id
          }
        }
      }
    `),
    { m: model!.id },
    ADMIN,
  );
  const uploads = await first.upload(
    Array.from({ length: 12 }, (_, i) => ({ name: `g${i}.png`, bytes: makePng(20 + i, 20) })),
  );
  assert.equal(uploads.status, 200);
  mark('stopping');
  await first.stop(); // returns once running captions finished and the database is closed

  mark('restarting');
  const second = await startTestApi(env);
  try {
    const models = await loadedModels(second);
    const total = await waitUntil('every image captioned by every model after the restart', async () => {
      const { images } = await second.gql(
        graphql(`
          query ShutdownImages {
            images(first: 100) {
              totalCount
              edges {
                node {
                  captions {
                    id
                  }
                }
              }
            }
          }
        `),
      );
      return images.edges.every((e) => e.node.captions.length === models.length) ? images.totalCount : null;
    });
    mark('captioned');
    assert.equal(total, 8 + 12);
    const run = await waitUntil('the interrupted evaluation run to finish', async () => {
      const { evaluationRun } = await second.gql(
        graphql(`
          query ShutdownEvaluationRun($id: ID!) {
            evaluationRun(id: $id) {
              status
              bleu
              processed
              total
            }
          }
        `),
        {
          id: startEvaluationRun.run.id,
        },
      );
      assert.notEqual(evaluationRun!.status, 'FAILED');
      return evaluationRun!.status === 'SUCCEEDED' ? evaluationRun : null;
    });
    mark('evaluated');
    assert.equal(run.bleu?.length, 4);
    assert.equal(run.processed, run.total);
  } finally {
    await second.stop();
    mark('stopped');
  }
});
