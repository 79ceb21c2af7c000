// Per-caption ROUGE-L and CIDEr-D on the image page: ROUGE-L against the image's references, CIDEr-D with the
// document frequencies of the references of its dataset split, equal to that image's term in CIDEr-D of the
// whole split; recomputed when an import adds references to the split; null without references.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ciderD, sentenceRougeL, tokenize } from '@captioner/model';
import { importAndWait, loadedModels, startTestApi, waitUntil, type TestApi } from './harness.js';
import { makePng } from './png.js';
import { graphql } from '../generated/index.js';
import type { CaptionScoresImagesQuery, ImportDatasetInput } from '../generated/graphql.js';

type Row = CaptionScoresImagesQuery['images']['edges'][number]['node'];

let api: TestApi;
let modelIds: string[];
before(async () => {
  api = await startTestApi({ CAPTIONER_CAPTION_ON_UPLOAD: 'false' });
  modelIds = (await loadedModels(api)).map((m) => m.id);
});
after(async () => {
  await api?.stop();
});

async function importTrain(limit?: number): Promise<void> {
  const input: ImportDatasetInput = { path: 'flickr8k', dataset: 'scored', splits: ['TRAIN'], caption: true, limit };
  await importAndWait(api, input);
}

/** The split's images once every one has a caption of every model. */
async function trainImages(count: number): Promise<Row[]> {
  return waitUntil(`${count} captioned train images`, async () => {
    const { images } = await api.gql(
      graphql(`
        query CaptionScoresImages {
          images(first: 100, filter: { dataset: "scored", split: TRAIN }) {
            edges {
              node {
                id
                references
                captions {
                  id
                  text
                  sentenceBleu
                  sentenceRougeL
                  sentenceCiderD
                  model {
                    id
                  }
                }
              }
            }
          }
        }
      `),
    );
    const rows = images.edges.map((edge) => edge.node);
    return rows.length === count && rows.every((row) => row.captions.length === modelIds.length) ? rows : null;
  });
}

/** Each served score against the corpus computation over the split: one model's captions as the hypotheses. */
function assertScores(rows: Row[]): Map<string, number> {
  const served = new Map<string, number>();
  for (const modelId of modelIds) {
    const references = rows.map((row) => row.references.map(tokenize));
    const captions = rows.map((row) => row.captions.find((c) => c.model.id === modelId)!);
    const { perImage } = ciderD(
      references,
      captions.map((c) => tokenize(c.text)),
    );
    captions.forEach((caption, i) => {
      assert.ok(caption.sentenceBleu !== null && caption.sentenceCiderD !== null && caption.sentenceRougeL !== null);
      assert.ok(
        Math.abs(caption.sentenceCiderD - perImage[i]!) < 1e-12,
        `CIDEr-D of "${caption.text}": ${caption.sentenceCiderD} served, ${perImage[i]} in the split`,
      );
      const rouge = sentenceRougeL(references[i]!, tokenize(caption.text));
      assert.ok(Math.abs(caption.sentenceRougeL - rouge) < 1e-12, `ROUGE-L of "${caption.text}"`);
      served.set(`${rows[i]!.id} ${modelId}`, caption.sentenceCiderD);
    });
  }
  return served;
}

test('captions get sentence ROUGE-L, and CIDEr-D within their split, recomputed when an import adds references', async () => {
  await importTrain(2);
  const first = assertScores(await trainImages(2));
  assert.ok(
    [...first.values()].some((score) => score > 0),
    'the shapes models say something right about their own training images',
  );

  // Two more images of the split: every document frequency and the number of images change.
  await importTrain();
  const second = assertScores(await trainImages(4));
  for (const [key, score] of first) {
    if (score > 0) assert.notEqual(second.get(key), score, `${key} scores differently within the larger split`);
  }
});

test('captions of an image without references have no ROUGE-L or CIDEr-D', async () => {
  const { body } = await api.upload([{ name: 'plain.png', bytes: makePng(24, 24) }]);
  const imageId = body.results[0]!.imageId!;
  const { captionImage } = await api.gql(
    graphql(`
      mutation CaptionScoresCaptionImage($i: ID!, $m: ID!) {
        captionImage(input: { imageId: $i, modelId: $m }) {
          caption {
            id
            text
            sentenceBleu
            sentenceRougeL
            sentenceCiderD
            model {
              id
            }
          }
        }
      }
    `),
    { i: imageId, m: modelIds[0]! },
  );
  assert.deepEqual(
    [captionImage.caption.sentenceBleu, captionImage.caption.sentenceRougeL, captionImage.caption.sentenceCiderD],
    [null, null, null],
  );
});

/** Spearman's rho with average ranks for ties, written out here to check the API's. */
function spearman(x: number[], y: number[]): number {
  const ranks = (values: number[]) =>
    values.map((v) => {
      const below = values.filter((w) => w < v).length;
      const equal = values.filter((w) => w === v).length;
      return below + (equal + 1) / 2;
    });
  const [rx, ry] = [ranks(x), ranks(y)];
  const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
  const [mx, my] = [mean(rx), mean(ry)];
  let [sxy, sxx, syy] = [0, 0, 0];
  rx.forEach((_, i) => {
    sxy += (rx[i]! - mx) * (ry[i]! - my);
    sxx += (rx[i]! - mx) ** 2;
    syy += (ry[i]! - my) ** 2;
  });
  return sxy / Math.sqrt(sxx * syy);
}

test("the leaderboard correlates each model's sentence ROUGE-L and CIDEr-D with its captions' ratings", async () => {
  const rows = await trainImages(4);
  const ratings = new Map<string, number>();
  let k = 0;
  for (const row of rows) {
    for (const caption of row.captions) {
      const stars = [1, 4, 2, 5, 3][k++ % 5]!;
      await api.gql(
        'mutation($c: ID!, $s: Int!) { rateCaption(input: { captionId: $c, stars: $s }) { rating { id } } }',
        { c: caption.id, s: stars },
        'critic',
      );
      ratings.set(caption.id, stars);
    }
  }
  const { leaderboard } = await api.gql(
    graphql(`
      query CaptionScoresLeaderboard {
        leaderboard {
          rougeLRatingCorrelation {
            rho
            n
          }
          ciderRatingCorrelation {
            rho
            n
          }
          entries {
            model {
              id
            }
            rougeLRatingCorrelation {
              rho
              n
            }
            ciderRatingCorrelation {
              rho
              n
            }
          }
        }
      }
    `),
  );
  const everyCaption = rows.flatMap((row) => row.captions);
  const everyStar = everyCaption.map((c) => ratings.get(c.id)!);
  for (const [served, metric] of [
    [leaderboard.rougeLRatingCorrelation, everyCaption.map((c) => c.sentenceRougeL!)],
    [leaderboard.ciderRatingCorrelation, everyCaption.map((c) => c.sentenceCiderD!)],
  ] as const) {
    assert.equal(served.n, everyCaption.length);
    assert.ok(served.rho !== null && Math.abs(served.rho - spearman(metric, everyStar)) < 1e-12, `${served.rho}`);
  }
  for (const entry of leaderboard.entries) {
    const captions = rows.flatMap((row) => row.captions.filter((c) => c.model.id === entry.model.id));
    const stars = captions.map((c) => ratings.get(c.id)!);
    for (const [served, metric] of [
      [entry.rougeLRatingCorrelation, captions.map((c) => c.sentenceRougeL!)],
      [entry.ciderRatingCorrelation, captions.map((c) => c.sentenceCiderD!)],
    ] as const) {
      assert.equal(served.n, 4);
      assert.ok(served.rho !== null && Math.abs(served.rho - spearman(metric, stars)) < 1e-12, `${served.rho}`);
    }
  }
});
