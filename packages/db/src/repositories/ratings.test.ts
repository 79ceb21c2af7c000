// Ratings: one per voter per caption under concurrency, stars refused outside the range, no deadlock.
import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { ConstraintViolationError, InvalidInputError, NotFoundError } from '../errors.js';
import type { Database } from '../open-database.js';
import { countRows, describeRepository, MISSING_ID, rawSql, unique } from '../test-fixture.js';
import { addCaption, addImage, addModel } from '../test-support.js';

describeRepository('ratings', (database) => {
  let db: Database;
  before(() => {
    db = database();
  });

  it('keeps one rating per voter per caption, the latest one', async () => {
    const model = await addModel(db, unique('rate-model'));
    const caption = await addCaption(db, (await addImage(db)).id, model.id);
    const first = await db.ratings.rate({ captionId: caption.id, voterId: 'voter-1', stars: 2 });
    const second = await db.ratings.rate({ captionId: caption.id, voterId: 'voter-1', stars: 4 });
    assert.equal(second.id, first.id);
    assert.equal(second.stars, 4);
    await db.ratings.rate({ captionId: caption.id, voterId: 'voter-2', stars: 5 });
    assert.deepEqual(await db.ratings.summary(caption.id), { count: 2, mean: 4.5, histogram: [0, 0, 0, 1, 1] });
    assert.equal((await db.ratings.get(caption.id, 'voter-1'))?.stars, 4);
    assert.equal(await db.ratings.get(caption.id, 'voter-3'), null);
  });

  it('saves captions of one image from several models at once without deadlocking', async () => {
    // Each insert holds a key-share lock on the image (foreign key) while the stats trigger locks the
    // image row: a trigger asking for FOR UPDATE deadlocked two models captioning one upload.
    const models = await Promise.all(
      Array.from({ length: 8 }, (_, index) => addModel(db, unique(`deadlock-${index}`))),
    );
    for (let round = 0; round < 20; round++) {
      const image = await addImage(db);
      await Promise.all(models.map((model, index) => addCaption(db, image.id, model.id, { sentenceBleu: index / 10 })));
      const imageStats = await db.createLoaders().imageStatsById.load(image.id);
      assert.equal(imageStats?.bestBleu, 0.7);
    }
  });

  it('leaves exactly one row after 50 concurrent ratings by the same voter', async () => {
    const model = await addModel(db, unique('race-model'));
    const caption = await addCaption(db, (await addImage(db)).id, model.id);
    const stars = Array.from({ length: 50 }, (_, index) => (index % 5) + 1);
    const results = await Promise.all(
      stars.map((value) => db.ratings.rate({ captionId: caption.id, voterId: 'racer', stars: value })),
    );
    assert.equal(new Set(results.map((rating) => rating.id)).size, 1);
    assert.equal(await countRows(db, 'ratings', 'caption_id = $1', [caption.id]), 1);
    const stored = await db.ratings.get(caption.id, 'racer');
    assert.ok(stored && stars.includes(stored.stars));
    const imageStats = await db.createLoaders().imageStatsById.load(caption.imageId);
    assert.deepEqual(imageStats, { meanRating: stored.stars, ratingCount: 1, bestBleu: 0.5 });
  });

  it('rejects stars outside 1..5 and unknown captions, changing nothing', async () => {
    const model = await addModel(db, unique('bad-rate'));
    const caption = await addCaption(db, (await addImage(db)).id, model.id);
    for (const stars of [0, 6, -1]) {
      await assert.rejects(db.ratings.rate({ captionId: caption.id, voterId: 'v', stars }), (error: unknown) => {
        assert.ok(error instanceof ConstraintViolationError);
        assert.equal(error.constraint, 'ratings_stars_check');
        assert.match(error.message, /from 1 to 5/);
        return true;
      });
    }
    await assert.rejects(db.ratings.rate({ captionId: caption.id, voterId: 'v', stars: 2.5 }), InvalidInputError);
    await assert.rejects(db.ratings.rate({ captionId: caption.id, voterId: '', stars: 3 }), InvalidInputError);
    await assert.rejects(
      db.ratings.rate({ captionId: MISSING_ID, voterId: 'v', stars: 3 }),
      (error: unknown) => error instanceof NotFoundError && error.entity === 'caption' && error.id === MISSING_ID,
    );
    await assert.rejects(
      rawSql(db, `INSERT INTO ratings (caption_id, voter_id, stars) VALUES ($1, 'v', 6)`, [caption.id]),
      /ratings_stars_check/,
    );
    assert.equal(await countRows(db, 'ratings', 'caption_id = $1', [caption.id]), 0);
  });
});
