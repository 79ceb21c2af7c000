// The gallery query (images.list / images.count): every sort paged without gaps, filters, trigger-kept aggregates, bad input.
import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { InvalidInputError } from '../errors.js';
import type { Database } from '../open-database.js';
import { describeRepository, rawSql, unique } from '../test-fixture.js';
import { addCaption, addImage, addModel } from '../test-support.js';

/** The gallery's default order: newest first, ties (same millisecond) by id, descending. */
/** The gallery's default order: newest first, ties (same millisecond) by id, descending. */
function newestFirst(...images: { id: string; createdAt: Date }[]): string[] {
  return [...images]
    .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0))
    .map((image) => image.id);
}

describeRepository('gallery', (database) => {
  let db: Database;
  before(() => {
    db = database();
  });

  // Five images in a dataset of their own, with captions of two models, ratings and references.
  async function galleryFixture() {
    const dataset = unique('gallery');
    const [lstm, attention] = [await addModel(db, unique('g-lstm')), await addModel(db, unique('g-att'), 'attention')];
    const images = [];
    for (let index = 0; index < 5; index++) {
      images.push(await addImage(db, { dataset, split: index < 3 ? 'test' : 'val' }));
    }
    const [i0, i1, i2, i3, i4] = images as [
      (typeof images)[0],
      (typeof images)[0],
      (typeof images)[0],
      (typeof images)[0],
      (typeof images)[0],
    ];
    const c0 = await addCaption(db, i0.id, lstm.id, { text: 'two red circles', sentenceBleu: 0.9 });
    await addCaption(db, i0.id, attention.id, { text: 'a red circle', sentenceBleu: 0.2 });
    const c1 = await addCaption(db, i1.id, lstm.id, { text: 'a blue square', sentenceBleu: 0.4 });
    const c2 = await addCaption(db, i2.id, attention.id, { text: 'a green triangle', sentenceBleu: 0.6 });
    await addCaption(db, i3.id, attention.id, { text: 'a yellow star', sentenceBleu: null });
    await db.ratings.rate({ captionId: c0.id, voterId: 'g1', stars: 5 });
    await db.ratings.rate({ captionId: c0.id, voterId: 'g2', stars: 4 });
    await db.ratings.rate({ captionId: c1.id, voterId: 'g1', stars: 2 });
    await db.ratings.rate({ captionId: c2.id, voterId: 'g1', stars: 3 });
    await db.references.add(i0.id, ['two circles']);
    await db.references.add(i4.id, ['an orange hexagon on the left']);
    return { dataset, lstm, attention, i0, i1, i2, i3, i4 };
  }

  async function allPages(query: Parameters<Database['images']['list']>[0], pageSize: number) {
    const ids: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 20; page++) {
      const result = await db.images.list({ ...query, first: pageSize, after });
      ids.push(...result.items.map((item) => item.image.id));
      if (!result.hasNextPage) return ids;
      assert.equal(result.items.length, pageSize);
      after = result.endCursor;
    }
    throw new Error('pagination did not end');
  }

  it('pages through every sort without gaps or repeats', async () => {
    const f = await galleryFixture();
    const filter = { dataset: f.dataset };
    assert.deepEqual(await allPages({ filter }, 2), newestFirst(f.i0, f.i1, f.i2, f.i3, f.i4));
    assert.deepEqual(await allPages({ filter, sort: 'bleu' }, 2), [
      f.i0.id,
      f.i2.id,
      f.i1.id,
      ...[f.i3.id, f.i4.id].sort().reverse(),
    ]);
    assert.deepEqual(await allPages({ filter, sort: 'rating' }, 1), [
      f.i0.id,
      f.i2.id,
      f.i1.id,
      ...[f.i3.id, f.i4.id].sort().reverse(),
    ]);
    const page = await db.images.list({ filter, sort: 'rating', first: 1 });
    assert.deepEqual(
      [page.items[0]?.image.meanRating, page.items[0]?.image.ratingCount, page.items[0]?.image.bestBleu],
      [4.5, 2, 0.9],
    );
    assert.equal(await db.images.count(filter), 5);
    const empty = await db.images.list({ filter: { dataset: unique('nothing') } });
    assert.deepEqual([empty.items, empty.hasNextPage, empty.endCursor], [[], false, null]);
  });

  it('filters by model, split, references, rating, BLEU, source and text', async () => {
    const f = await galleryFixture();
    const ids = async (filter: object, sort: 'newest' | 'bleu' = 'newest') =>
      (await db.images.list({ filter: { dataset: f.dataset, ...filter }, sort, first: 100 })).items.map(
        (item) => item.image.id,
      );
    assert.deepEqual(await ids({ modelId: f.lstm.id }), newestFirst(f.i1, f.i0));
    assert.deepEqual(await ids({ split: 'val' }), newestFirst(f.i4, f.i3));
    assert.deepEqual(await ids({ hasReferences: true }), newestFirst(f.i4, f.i0));
    assert.deepEqual(await ids({ hasReferences: false }), newestFirst(f.i3, f.i2, f.i1));
    assert.deepEqual(await ids({ minRating: 3 }), newestFirst(f.i2, f.i0));
    assert.deepEqual(await ids({ maxRating: 3 }), newestFirst(f.i2, f.i1));
    assert.deepEqual(await ids({ minBleu: 0.5, maxBleu: 0.7 }), [f.i2.id]);
    // Scoped to a model, the aggregates are that model's: image 0's attention caption has BLEU 0.2.
    assert.deepEqual(await ids({ modelId: f.attention.id, maxBleu: 0.3 }), [f.i0.id]);
    assert.deepEqual(await ids({ search: 'circle' }), [f.i0.id], 'stemming: circle matches circles');
    assert.deepEqual(await ids({ search: 'hexagon left' }), [f.i4.id], 'reference captions are searched');
    assert.deepEqual(await ids({ search: 'red', modelId: f.attention.id }), [f.i0.id]);
    assert.deepEqual(await ids({ search: 'zebra' }), []);
    assert.deepEqual(await ids({ source: 'upload' }), []);
    assert.deepEqual(await ids({ split: 'test', minBleu: 0.3 }, 'bleu'), [f.i0.id, f.i2.id, f.i1.id]);
    assert.equal(await db.images.count({ dataset: f.dataset, minBleu: 0.3 }), 3);
  });

  it('keeps the stored rating and BLEU aggregates equal to a recount', async () => {
    const [m1, m2] = [await addModel(db, unique('agg-a')), await addModel(db, unique('agg-b'))];
    const image = await addImage(db);
    const c1 = await addCaption(db, image.id, m1.id, { sentenceBleu: 0.3 });
    const c2 = await addCaption(db, image.id, m2.id, { sentenceBleu: 0.8 });
    // Many voters rating both captions at once, each voter several times.
    await Promise.all(
      Array.from({ length: 60 }, (_, index) =>
        db.ratings.rate({
          captionId: index % 2 ? c1.id : c2.id,
          voterId: `agg-${index % 10}`,
          stars: (index % 5) + 1,
        }),
      ),
    );
    await addCaption(db, image.id, m2.id, { sentenceBleu: 0.1 }); // re-scored: best BLEU drops to 0.3
    await rawSql(db, `DELETE FROM ratings WHERE caption_id = $1 AND voter_id = 'agg-1'`, [c1.id]);
    const recount = async () =>
      (
        await rawSql(
          db,
          `SELECT i.rating_count AS "count", i.rating_sum AS "sum", i.best_bleu AS "best",
          (SELECT count(*) FROM ratings r JOIN captions c ON c.id = r.caption_id WHERE c.image_id = i.id)::int AS "countNow",
          (SELECT COALESCE(sum(r.stars), 0) FROM ratings r JOIN captions c ON c.id = r.caption_id WHERE c.image_id = i.id)::int AS "sumNow",
          (SELECT max(c.sentence_bleu) FROM captions c WHERE c.image_id = i.id) AS "bestNow"
        FROM images i WHERE i.id = $1`,
          [image.id],
        )
      ).rows[0] as Record<string, number | null>;
    let row = await recount();
    assert.deepEqual([row.count, row.sum, row.best], [row.countNow, row.sumNow, row.bestNow]);
    assert.equal(row.best, 0.3);
    assert.equal(row.count, 9, 'five voters per caption, one of their ratings deleted');
    const stats = await db.createLoaders().imageStatsById.load(image.id);
    assert.deepEqual(stats, {
      meanRating: (row.sum as number) / (row.count as number),
      ratingCount: row.count,
      bestBleu: 0.3,
    });
    await rawSql(db, `DELETE FROM captions WHERE id = $1`, [c1.id]);
    row = await recount();
    assert.deepEqual([row.count, row.sum, row.best], [row.countNow, row.sumNow, row.bestNow]);
    assert.equal(row.best, 0.1);
    const captionRows = (
      await rawSql(
        db,
        `SELECT c.rating_count AS n, c.rating_sum AS s,
        (SELECT count(*) FROM ratings r WHERE r.caption_id = c.id)::int AS "nNow",
        (SELECT COALESCE(sum(stars), 0) FROM ratings r WHERE r.caption_id = c.id)::int AS "sNow"
      FROM captions c WHERE c.image_id = $1`,
        [image.id],
      )
    ).rows as { n: number; s: number; nNow: number; sNow: number }[];
    assert.deepEqual(
      captionRows.map((c) => [c.n, c.s]),
      captionRows.map((c) => [c.nNow, c.sNow]),
    );
  });

  it('rejects malformed paging and ranges', async () => {
    await assert.rejects(db.images.list({ after: 'garbage' }), InvalidInputError);
    const page = await db.images.list({ first: 1 });
    if (page.endCursor) await assert.rejects(db.images.list({ sort: 'bleu', after: page.endCursor }), /same query/);
    await assert.rejects(db.images.list({ first: 0 }), InvalidInputError);
    await assert.rejects(db.images.list({ first: 101 }), InvalidInputError);
    await assert.rejects(db.images.list({ filter: { minRating: 7 } }), InvalidInputError);
    await assert.rejects(db.images.list({ sort: 'oldest' as never }), InvalidInputError);
  });
});
