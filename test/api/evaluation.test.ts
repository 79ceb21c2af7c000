// Evaluation runs from start to BLEU, CIDEr-D and ROUGE-L: background progress, corpus scores equal to an
// independent computation from the stored captions and references, decode settings and metric version stored, duplicates joined, cached
// captions reused by the next run.
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, test } from 'node:test';
import { ciderD, corpusBleu, rougeL, tokenize } from '@captioner/model';
import { bleuMetricVersion, ciderMetricVersion, rougeLMetricVersion } from '@captioner/api';
import {
  importAndWait,
  testAdminToken,
  ADMIN,
  loadedModels,
  startTestApi,
  waitUntil,
  type TestApi,
} from './harness.js';
import { graphql } from '../generated/index.js';
import type { EvaluationRunRowFragment } from '../generated/graphql.js';

let api: TestApi;
before(async () => {
  api = await startTestApi({ CAPTIONER_CAPTION_ON_UPLOAD: 'false' });
  await importAndWait(api, { path: 'karpathy', dataset: 'fixture' });
});
after(async () => {
  await api?.stop();
});

graphql(`
  fragment EvaluationRunRow on EvaluationRun {
    id
    status
    progress
    processed
    total
    reusedCaptions
    bleu
    metricVersion
    cider
    ciderVersion
    rougeL
    rougeLVersion
    decode {
      beamSize
      maxLength
    }
    split
    model {
      id
    }
    error
    startedAt
    finishedAt
  }
`);
type Run = EvaluationRunRowFragment;

const start = graphql(`
  mutation EvaluationStart($input: StartEvaluationRunInput!) {
    startEvaluationRun(input: $input) {
      joined
      run {
        ...EvaluationRunRow
      }
    }
  }
`);

async function finished(id: string): Promise<Run> {
  return waitUntil(`evaluation run ${id}`, async () => {
    const { evaluationRun } = await api.gql(
      graphql(`
        query EvaluationRunById($id: ID!) {
          evaluationRun(id: $id) {
            ...EvaluationRunRow
          }
        }
      `),
      { id },
    );
    assert.ok(evaluationRun!.progress >= 0 && evaluationRun!.progress <= 1);
    assert.notEqual(evaluationRun!.status, 'FAILED', evaluationRun!.error ?? '');
    return evaluationRun!.status === 'SUCCEEDED' ? evaluationRun : null;
  });
}

test('an evaluation run goes from start to corpus BLEU equal to NLTK-style BLEU over the stored captions', async () => {
  for (const model of await loadedModels(api)) {
    const input = { modelId: model.id, split: 'VAL' as const, beamSize: 2, maxLength: 16 };
    // Two identical starts at once: one run, the other joins it.
    const [a, b] = await Promise.all([api.gql(start, { input }, ADMIN), api.gql(start, { input }, ADMIN)]);
    assert.equal(a.startEvaluationRun.run.id, b.startEvaluationRun.run.id);
    assert.deepEqual(
      [a.startEvaluationRun.run.cider, a.startEvaluationRun.run.rougeL, a.startEvaluationRun.run.ciderVersion],
      [null, null, null],
      'no CIDEr-D or ROUGE-L before the run succeeds',
    );
    assert.deepEqual([a.startEvaluationRun.joined, b.startEvaluationRun.joined].sort(), [false, true]);
    const run = await finished(a.startEvaluationRun.run.id);
    assert.equal(run.model.id, model.id);
    assert.equal(run.split, 'VAL');
    assert.deepEqual(run.decode, { beamSize: 2, maxLength: 16 });
    assert.equal(run.metricVersion, bleuMetricVersion);
    assert.equal(run.progress, 1);
    assert.equal(run.processed, run.total);
    assert.ok(run.startedAt && run.finishedAt && run.finishedAt >= run.startedAt);

    // Recompute from what is stored: the val images' references and their captions with these settings.
    const { images } = await api.gql(
      graphql(`
        query EvaluationImages($m: ID) {
          images(first: 100, filter: { split: VAL, hasReferences: true }) {
            edges {
              node {
                references
                captions(modelId: $m, all: true) {
                  text
                  decode {
                    beamSize
                    maxLength
                  }
                }
              }
            }
          }
        }
      `),
      { m: model.id },
    );
    assert.equal(run.total, images.edges.length);
    const refs: string[][][] = [];
    const hyps: string[][] = [];
    for (const { node } of images.edges) {
      const caption = node.captions.find((c) => c.decode.beamSize === 2 && c.decode.maxLength === 16);
      assert.ok(caption, 'the run stored a caption for every image with its settings');
      refs.push(node.references.map(tokenize));
      hyps.push(tokenize(caption.text));
    }
    const expected = corpusBleu(refs, hyps);
    assert.equal(run.bleu!.length, 4);
    run.bleu!.forEach((v, i) => assert.ok(Math.abs(v - expected[i]!) < 1e-12, `BLEU-${i + 1}`));
    // CIDEr-D's document frequencies come from the references of exactly the evaluated images.
    const cider = ciderD(refs, hyps).corpus;
    assert.ok(cider > 0, 'the fixture models get some n-grams right');
    assert.ok(Math.abs(run.cider! - cider) < 1e-12, `CIDEr-D ${run.cider} vs ${cider}`);
    assert.ok(Math.abs(run.rougeL! - rougeL(refs, hyps).corpus) < 1e-12, 'ROUGE-L');
    assert.deepEqual([run.ciderVersion, run.rougeLVersion], [ciderMetricVersion, rougeLMetricVersion]);

    // The same run again reuses every stored caption.
    const again = await api.gql(start, { input }, ADMIN);
    assert.equal(again.startEvaluationRun.joined, false);
    const rerun = await finished(again.startEvaluationRun.run.id);
    assert.equal(rerun.reusedCaptions, rerun.total);
    assert.deepEqual([rerun.bleu, rerun.cider, rerun.rougeL], [run.bleu, run.cider, run.rougeL]);
  }

  const { evaluationRuns } = await api.gql(
    graphql(`
      query EvaluationEvaluationRuns {
        evaluationRuns(split: VAL) {
          id
        }
      }
    `),
  );
  const models = await loadedModels(api);
  assert.equal(evaluationRuns.length, 2 * models.length);
  const { leaderboard } = await api.gql(
    graphql(`
      query EvaluationLeaderboard {
        leaderboard {
          entries {
            model {
              id
            }
            bleu {
              split
              bleu
              cider
              rougeL
              run {
                id
                cider
                rougeL
              }
            }
          }
        }
      }
    `),
  );
  for (const entry of leaderboard.entries) {
    assert.deepEqual(
      entry.bleu.map((b) => b.split),
      ['VAL'],
      'the leaderboard shows the evaluated split',
    );
    assert.equal(entry.bleu[0]!.bleu.length, 4);
    const { cider, rougeL, run } = entry.bleu[0]!;
    assert.deepEqual([cider, rougeL], [run.cider, run.rougeL], "the split's CIDEr-D and ROUGE-L are its run's");
    assert.ok(cider !== null && rougeL !== null);
  }
});

test('an evaluation keeps running after the client that started it disconnects', async () => {
  const [model] = await loadedModels(api);
  // Send the whole request, then drop the connection without reading the answer.
  const body = JSON.stringify({
    query: start,
    variables: { input: { modelId: model!.id, split: 'TRAIN', beamSize: 1 } },
  });
  const { port } = new URL(api.url);
  await new Promise<void>((resolve, reject) => {
    const socket = net.connect(Number(port), '127.0.0.1', () => {
      socket.write(
        `POST /graphql HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\nauthorization: Bearer ${testAdminToken}\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
        () => {
          socket.destroy();
          resolve();
        },
      );
    });
    socket.on('error', reject);
  });
  const run = await waitUntil(
    'the run started by the vanished client',
    async () => {
      const { evaluationRuns } = await api.gql(
        graphql(`
          query EvaluationRunsOfModel($m: ID) {
            evaluationRuns(modelId: $m, split: TRAIN) {
              ...EvaluationRunRow
            }
          }
        `),
        { m: model!.id },
      );
      return evaluationRuns[0] ?? null;
    },
    15_000,
  );
  const done = await finished(run.id);
  assert.equal(done.bleu?.length, 4);
  assert.deepEqual(done.decode.beamSize, 1);
});
