// Picking what to evaluate and comparing two runs: `datasets` agrees with the gallery's counts, and
// `evaluationRunComparison` finds the images both runs captioned and orders their disagreements by the
// difference in sentence BLEU, checked against the captions stored for each run's model and settings.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { importAndWait, ADMIN, loadedModels, startTestApi, waitUntil, type TestApi } from './harness.js';
import { graphql } from '../generated/index.js';
import type { StartEvaluationRunInput } from '../generated/graphql.js';

let api: TestApi;
before(async () => {
  api = await startTestApi({ CAPTIONER_CAPTION_ON_UPLOAD: 'false' });
  await importAndWait(api, { path: 'karpathy', dataset: 'fixture' });
});
after(async () => {
  await api?.stop();
});

type Settings = Required<Pick<StartEvaluationRunInput, 'modelId' | 'split' | 'beamSize' | 'maxLength'>>;

async function finishedRun(input: Settings & { dataset?: string }): Promise<string> {
  const { startEvaluationRun } = await api.gql(
    graphql(`
      mutation EvaluationComparisonStartEvaluationRun($input: StartEvaluationRunInput!) {
        startEvaluationRun(input: $input) {
          run {
            id
          }
        }
      }
    `),
    { input },
    ADMIN,
  );
  const { id } = startEvaluationRun.run;
  await waitUntil(`evaluation run ${id}`, async () => {
    const { evaluationRun } = await api.gql(
      graphql(`
        query EvaluationComparisonEvaluationRun($id: ID!) {
          evaluationRun(id: $id) {
            status
            error
          }
        }
      `),
      { id },
    );
    assert.notEqual(evaluationRun!.status, 'FAILED', evaluationRun!.error ?? '');
    return evaluationRun!.status === 'SUCCEEDED';
  });
  return id;
}

/** Each image of the split with its caption from one model and decode settings, as the gallery stores them. */
async function storedCaptions(run: Settings): Promise<Map<string, { id: string; text: string; bleu: number }>> {
  const { images } = await api.gql(
    graphql(`
      query EvaluationComparisonImages($filter: ImageFilter, $modelId: ID!) {
        images(first: 100, filter: $filter) {
          edges {
            node {
              id
              captions(modelId: $modelId, all: true) {
                id
                text
                sentenceBleu
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
    { filter: { split: run.split, dataset: 'fixture', hasReferences: true }, modelId: run.modelId },
  );
  const byImage = new Map<string, { id: string; text: string; bleu: number }>();
  for (const { node } of images.edges) {
    const caption = node.captions.find(
      (c) => c.decode.beamSize === run.beamSize && c.decode.maxLength === run.maxLength,
    );
    if (caption && caption.sentenceBleu !== null) {
      byImage.set(node.id, { id: caption.id, text: caption.text, bleu: caption.sentenceBleu });
    }
  }
  return byImage;
}

const COMPARE = graphql(`
  query EvaluationComparisonEvaluationRunComparison($a: ID!, $b: ID!, $first: Int) {
    evaluationRunComparison(runA: $a, runB: $b, first: $first) {
      sharedImages
      runA {
        id
      }
      runB {
        id
      }
      disagreements {
        image {
          id
        }
        captionA {
          id
        }
        captionB {
          id
        }
        bleuDelta
      }
    }
  }
`);

test('datasets lists each imported dataset with its images per split, as the gallery counts them', async () => {
  const { datasets } = await api.gql(
    graphql(`
      query EvaluationComparisonDatasets {
        datasets {
          name
          splits {
            split
            images
            withReferences
          }
        }
      }
    `),
  );
  assert.deepEqual(
    datasets.map((d) => d.name),
    ['fixture'],
  );
  const splits = datasets[0]!.splits;
  assert.ok(splits.length >= 2, 'the fixture has several splits');
  const order = ['TRAIN', 'VAL', 'TEST'];
  assert.deepEqual(
    splits.map((s) => s.split),
    [...splits.map((s) => s.split)].sort((a, b) => order.indexOf(a) - order.indexOf(b)),
  );
  for (const { split, images, withReferences } of splits) {
    const count = (hasReferences?: boolean) =>
      api
        .gql(
          graphql(`
            query EvaluationComparisonImages2($f: ImageFilter) {
              images(filter: $f) {
                totalCount
              }
            }
          `),
          {
            f: { dataset: 'fixture', split, ...(hasReferences === undefined ? {} : { hasReferences }) },
          },
        )
        .then((r) => r.images.totalCount);
    assert.equal(images, await count(), `${split} images`);
    assert.equal(withReferences, await count(true), `${split} images with references`);
  }
});

test('comparing two runs orders the images where their captions differ by the gap in sentence BLEU', async () => {
  const models = await loadedModels(api);
  const [lstm, attention] = ['LSTM', 'ATTENTION'].map((v) => models.find((m) => m.variant === v)!.id);
  const settingsA: Settings = { modelId: lstm!, split: 'VAL', beamSize: 1, maxLength: 16 };
  const settingsB: Settings = { modelId: attention!, split: 'VAL', beamSize: 3, maxLength: 16 };
  const [runA, runB] = [await finishedRun(settingsA), await finishedRun({ ...settingsB, dataset: 'fixture' })];

  const [captionsA, captionsB] = [await storedCaptions(settingsA), await storedCaptions(settingsB)];
  const shared = [...captionsA.keys()].filter((id) => captionsB.has(id));
  assert.ok(shared.length >= 2, `both runs captioned the validation images (${shared.length})`);
  const expected = shared
    .map((imageId) => ({ imageId, a: captionsA.get(imageId)!, b: captionsB.get(imageId)! }))
    .filter(({ a, b }) => a.text !== b.text)
    .map(({ imageId, a, b }) => ({ imageId, captionA: a.id, captionB: b.id, delta: a.bleu - b.bleu }))
    .sort((x, y) => Math.abs(y.delta) - Math.abs(x.delta));
  assert.ok(expected.length >= 1, 'the two models caption some validation image differently');

  const { evaluationRunComparison: comparison } = await api.gql(COMPARE, {
    a: runA,
    b: runB,
  });
  assert.deepEqual([comparison!.runA.id, comparison!.runB.id], [runA, runB]);
  assert.equal(comparison!.sharedImages, shared.length);
  assert.deepEqual(
    comparison!.disagreements.map((d) => ({
      imageId: d.image.id,
      captionA: d.captionA.id,
      captionB: d.captionB.id,
    })),
    expected.map(({ imageId, captionA, captionB }) => ({ imageId, captionA, captionB })),
  );
  for (const [i, d] of comparison!.disagreements.entries()) {
    assert.ok(Math.abs(d.bleuDelta - expected[i]!.delta) < 1e-12, `delta of image ${i}`);
  }

  // `first` limits the list; swapping the runs flips the sign; a run against itself disagrees nowhere.
  const top = await api.gql(COMPARE, { a: runA, b: runB, first: 1 });
  assert.equal(top.evaluationRunComparison!.disagreements.length, Math.min(1, expected.length));
  const swapped = await api.gql(COMPARE, { a: runB, b: runA });
  assert.deepEqual(
    swapped.evaluationRunComparison!.disagreements.map((d) => d.bleuDelta),
    comparison!.disagreements.map((d) => -d.bleuDelta),
  );
  const itself = await api.gql(COMPARE, { a: runA, b: runA });
  assert.equal(itself.evaluationRunComparison!.sharedImages, captionsA.size);
  assert.deepEqual(itself.evaluationRunComparison!.disagreements, []);
});

test('runs of different splits share no images; an unknown run gives null; first is bounded', async () => {
  const models = await loadedModels(api);
  const valRun = await finishedRun({ modelId: models[0]!.id, split: 'VAL', beamSize: 1, maxLength: 16 });
  const testRun = await finishedRun({ modelId: models[0]!.id, split: 'TEST', beamSize: 1, maxLength: 16 });
  const across = await api.gql(COMPARE, { a: valRun, b: testRun });
  assert.equal(across.evaluationRunComparison!.sharedImages, 0);
  assert.deepEqual(across.evaluationRunComparison!.disagreements, []);
  const unknown = await api.gql(COMPARE, {
    a: valRun,
    b: '00000000-0000-4000-8000-000000000000',
  });
  assert.equal(unknown.evaluationRunComparison, null);
  const tooMany = await api.request(COMPARE, { a: valRun, b: testRun, first: 101 });
  assert.equal(tooMany.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT');
});
