// The gallery query: cursor pagination, every filter, text search and every sort, checked against expectations
// computed here from the data the test created (references from the fixture, ratings it gave, BLEU recomputed).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sentenceBleu, tokenize } from '@captioner/model';
import { importAndWait, loadedModels, startTestApi, waitUntil, type TestApi } from './harness.js';
import { makePng } from './png.js';
import { graphql } from '../generated/index.js';
import type { GalleryRowFragment, ImageFilter, ImageSort } from '../generated/graphql.js';

graphql(`
  fragment GalleryRow on Image {
    id
    createdAt
    split
    source
    dataset
    references
    meanRating
    bestBleu
    captions {
      id
      text
      sentenceBleu
      model {
        id
      }
    }
  }
`);
type Row = GalleryRowFragment;

let api: TestApi;
let rows: Row[];
let modelIds: string[];
/** stars given per image id, over all its captions */
const starsByImage = new Map<string, number[]>();
const starsByImageAndModel = new Map<string, number[]>();

async function page(vars: { first?: number; after?: string | null; filter?: ImageFilter; sort?: ImageSort }) {
  const { images } = await api.gql(
    graphql(`
      query GalleryPage($filter: ImageFilter, $after: String, $first: Int, $sort: ImageSort) {
        images(first: $first, after: $after, filter: $filter, sort: $sort) {
          totalCount
          pageInfo {
            hasNextPage
            endCursor
          }
          edges {
            cursor
            node {
              ...GalleryRow
            }
          }
        }
      }
    `),
    { first: 24, after: null, filter: {}, sort: 'NEWEST', ...vars },
  );
  return images;
}

/** Every image matching a filter, paging 4 at a time. */
async function all(filter: ImageFilter = {}, sort: ImageSort = 'NEWEST'): Promise<Row[]> {
  const out: Row[] = [];
  let after: string | null = null;
  for (;;) {
    const p = await page({ first: 4, after, filter, sort });
    out.push(...p.edges.map((e) => e.node));
    if (!p.pageInfo.hasNextPage) return out;
    after = p.pageInfo.endCursor;
  }
}

const ids = (list: Row[]) => list.map((r) => r.id).sort();
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

before(async () => {
  api = await startTestApi({ CAPTIONER_CAPTION_ON_UPLOAD: 'false' });
  modelIds = (await loadedModels(api)).map((m) => m.id);
  await importAndWait(api, { path: 'flickr8k', caption: true });
  // Three uploads without references; only the first gets a caption, from the first model only.
  const { body } = await api.upload(
    [8, 9, 10].map((n) => ({ name: `gradient-${n}.png`, bytes: makePng(n * 4, n * 4) })),
  );
  const uploads = body.results.map((r) => r.imageId!);
  await api.gql('mutation($i: ID!, $m: ID!) { captionImage(input: { imageId: $i, modelId: $m }) { cached } }', {
    i: uploads[0],
    m: modelIds[0],
  });
  rows = await waitUntil('every dataset image captioned by every model', async () => {
    const list = await all();
    const dataset = list.filter((r) => r.source === 'DATASET');
    return dataset.length === 8 && dataset.every((r) => r.captions.length === modelIds.length) ? list : null;
  });
  // Ratings: a spread of stars from two voters over some captions.
  let k = 0;
  for (const row of rows.filter((r) => r.captions.length > 0).slice(0, 6)) {
    for (const caption of row.captions) {
      for (const voter of ['v1', 'v2']) {
        const stars = (k++ % 5) + 1;
        await api.gql(
          'mutation($c: ID!, $s: Int!) { rateCaption(input: { captionId: $c, stars: $s }) { rating { id } } }',
          { c: caption.id, s: stars },
          voter,
        );
        starsByImage.set(row.id, [...(starsByImage.get(row.id) ?? []), stars]);
        const key = `${row.id}|${caption.model.id}`;
        starsByImageAndModel.set(key, [...(starsByImageAndModel.get(key) ?? []), stars]);
      }
    }
  }
  rows = await all();
});
after(async () => {
  await api?.stop();
});

test('the data is what the test made: stored BLEU and ratings agree with independent computation', () => {
  assert.equal(rows.length, 11);
  for (const row of rows) {
    const refs = row.references.map(tokenize);
    for (const c of row.captions) {
      if (refs.length === 0) assert.equal(c.sentenceBleu, null);
      else assert.ok(Math.abs(c.sentenceBleu! - sentenceBleu(refs, tokenize(c.text))) < 1e-12);
    }
    const scored = row.captions.map((c) => c.sentenceBleu).filter((b): b is number => b !== null);
    assert.equal(row.bestBleu, scored.length ? Math.max(...scored) : null);
    const stars = starsByImage.get(row.id);
    if (stars) assert.ok(Math.abs(row.meanRating! - mean(stars)) < 1e-9);
    else assert.equal(row.meanRating, null);
  }
});

test('cursor pagination visits every image once, newest first, with totalCount on every page', async () => {
  const seen: string[] = [];
  let after: string | null = null;
  let pages = 0;
  for (;;) {
    const p = await page({ first: 3, after });
    assert.equal(p.totalCount, 11);
    assert.ok(p.edges.length <= 3);
    seen.push(...p.edges.map((e) => e.node.id));
    pages++;
    if (!p.pageInfo.hasNextPage) {
      assert.equal(p.pageInfo.endCursor, p.edges.at(-1)?.cursor ?? null);
      break;
    }
    assert.equal(p.pageInfo.endCursor, p.edges.at(-1)!.cursor);
    after = p.pageInfo.endCursor;
  }
  assert.equal(pages, 4);
  assert.deepEqual(
    seen,
    rows.map((r) => r.id),
  );
  assert.equal(new Set(seen).size, 11);
  const times = rows.map((r) => Date.parse(r.createdAt));
  for (let i = 1; i < times.length; i++) assert.ok(times[i - 1]! >= times[i]!);
  const empty = await page({ first: 5, filter: { search: 'zebra' } });
  assert.deepEqual(
    [empty.edges.length, empty.totalCount, empty.pageInfo.hasNextPage, empty.pageInfo.endCursor],
    [0, 0, false, null],
  );
});

test('each filter returns exactly the matching images', async () => {
  const check = async (filter: Record<string, unknown>, expected: (r: Row) => boolean) => {
    const got = await all(filter);
    assert.deepEqual(ids(got), ids(rows.filter(expected)), `filter ${JSON.stringify(filter)}`);
    assert.equal((await page({ first: 1, filter })).totalCount, got.length);
    return got.length;
  };
  for (const modelId of modelIds)
    assert.ok((await check({ modelId }, (r) => r.captions.some((c) => c.model.id === modelId))) >= 8);
  for (const split of ['TRAIN', 'VAL', 'TEST']) assert.ok((await check({ split }, (r) => r.split === split)) > 0);
  assert.equal(await check({ source: 'UPLOAD' }, (r) => r.source === 'UPLOAD'), 3);
  assert.equal(await check({ source: 'DATASET' }, (r) => r.source === 'DATASET'), 8);
  assert.equal(await check({ dataset: 'flickr8k' }, (r) => r.dataset === 'flickr8k'), 8);
  assert.equal(await check({ hasReferences: true }, (r) => r.references.length > 0), 8);
  assert.equal(await check({ hasReferences: false }, (r) => r.references.length === 0), 3);
  const ratings = rows
    .map((r) => r.meanRating)
    .filter((m): m is number => m !== null)
    .sort();
  const median = ratings[Math.floor(ratings.length / 2)]!;
  assert.ok((await check({ minRating: median }, (r) => r.meanRating !== null && r.meanRating >= median)) > 0);
  assert.ok((await check({ maxRating: median }, (r) => r.meanRating !== null && r.meanRating <= median)) > 0);
  await check({ minRating: 1, maxRating: 5 }, (r) => r.meanRating !== null);
  const bleus = rows
    .map((r) => r.bestBleu)
    .filter((b): b is number => b !== null)
    .sort();
  const mid = bleus[Math.floor(bleus.length / 2)]!;
  assert.ok((await check({ minBleu: mid }, (r) => r.bestBleu !== null && r.bestBleu >= mid)) > 0);
  assert.ok((await check({ maxBleu: mid }, (r) => r.bestBleu !== null && r.bestBleu <= mid)) > 0);
  await check({ split: 'TRAIN', hasReferences: true, minBleu: 0 }, (r) => r.split === 'TRAIN' && r.bestBleu !== null);
});

test('rating and BLEU filters are scoped to the model given', async () => {
  const modelId = modelIds[0]!;
  const scopedMean = (r: Row) => {
    const stars = starsByImageAndModel.get(`${r.id}|${modelId}`);
    return stars ? mean(stars) : null;
  };
  const got = await all({ modelId, minRating: 3 });
  assert.deepEqual(ids(got), ids(rows.filter((r) => (scopedMean(r) ?? 0) >= 3)));
  const scopedBleu = (r: Row) => r.captions.find((c) => c.model.id === modelId)?.sentenceBleu ?? null;
  const byBleu = await all({ modelId }, 'BLEU');
  const values = byBleu.map(scopedBleu);
  const firstNull = values.indexOf(null);
  const scored = firstNull < 0 ? values : values.slice(0, firstNull);
  assert.ok(firstNull < 0 || values.slice(firstNull).every((v) => v === null), 'unscored images come last');
  for (let i = 1; i < scored.length; i++) assert.ok(scored[i - 1]! >= scored[i]!);
});

test('text search finds words in references and in generated captions (stemmed, case-insensitive)', async () => {
  const has = (r: Row, word: string) =>
    [...r.references, ...r.captions.map((c) => c.text)].some((t) =>
      tokenize(t).some((w) => w === word || w === `${word}s`),
    );
  for (const word of ['circle', 'square', 'triangle']) {
    const expected = ids(rows.filter((r) => has(r, word)));
    if (expected.length === 0) continue;
    assert.deepEqual(ids(await all({ search: word.toUpperCase() })), expected, `search ${word}`);
    assert.deepEqual(ids(await all({ search: `${word}s` })), expected, `search ${word}s`);
  }
  // Several words: all of them in one caption or one reference.
  const mentions = (t: string, word: string) => tokenize(t).some((w) => w === word || w === `${word}s`);
  const both = ids(
    rows.filter((r) =>
      [...r.references, ...r.captions.map((c) => c.text)].some((t) => mentions(t, 'circle') && mentions(t, 'square')),
    ),
  );
  assert.ok(both.length > 0);
  assert.deepEqual(ids(await all({ search: 'circle square' })), both);
});

test('sorts by BLEU and by rating put the highest first and unscored images last, across pages', async () => {
  for (const [sort, value] of [
    ['BLEU', (r: Row) => r.bestBleu],
    ['RATING', (r: Row) => r.meanRating],
  ] as const) {
    const sorted = await all({}, sort);
    assert.deepEqual(ids(sorted), ids(rows));
    const values = sorted.map(value);
    const firstNull = values.indexOf(null);
    if (firstNull >= 0)
      assert.ok(
        values.slice(firstNull).every((v) => v === null),
        `${sort}: unscored last`,
      );
    const scored = (firstNull < 0 ? values : values.slice(0, firstNull)) as number[];
    for (let i = 1; i < scored.length; i++) assert.ok(scored[i - 1]! >= scored[i]!, `${sort} order`);
    const onePage = await page({ first: 100, sort });
    assert.deepEqual(
      sorted.map((r) => r.id),
      onePage.edges.map((e) => e.node.id),
      `${sort}: pages of 4 = one page of 100`,
    );
  }
});
