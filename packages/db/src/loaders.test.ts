// DataLoaders: batched loads of images, captions (full and summaries), details, references, ratings and models.
import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import type { Database } from './open-database.js';
import { describeRepository, MISSING_ID, unique } from './test-fixture.js';
import { addCaption, addImage, addModel } from './test-support.js';
import type { CaptionRecord } from './types.js';

describeRepository('loaders', (database) => {
  let db: Database;
  before(() => {
    db = database();
  });

  it('batch-loads captions, references, ratings, models and images', async () => {
    const model = await addModel(db, unique('load-model'));
    const [imageA, imageB] = [await addImage(db), await addImage(db)];
    const caption = await addCaption(db, imageA.id, model.id, { sentenceBleu: 0.7 });
    await db.references.add(imageA.id, ['ref one', 'ref two']);
    await db.ratings.rate({ captionId: caption.id, voterId: 'me', stars: 3 });
    await db.ratings.rate({ captionId: caption.id, voterId: 'you', stars: 5 });
    const loaders = db.createLoaders({ voterId: 'me' });
    const [captions, references, summary, mine, loadedModel, images, stats, missing] = await Promise.all([
      loaders.captionsByImageId.loadMany([imageA.id, imageB.id]),
      loaders.referencesByImageId.load(imageA.id),
      loaders.ratingSummaryByCaptionId.load(caption.id),
      loaders.myRatingByCaptionId.load(caption.id),
      loaders.modelById.load(model.id),
      loaders.imageById.loadMany([imageB.id, MISSING_ID, 'junk']),
      loaders.imageStatsById.loadMany([imageA.id, imageB.id]),
      loaders.captionById.load(MISSING_ID),
    ]);
    assert.deepEqual(captions, [[caption], []]);
    assert.deepEqual(
      references.map((reference) => reference.text),
      ['ref one', 'ref two'],
    );
    assert.deepEqual(summary, { count: 2, mean: 4, histogram: [0, 0, 1, 0, 1] });
    assert.equal(mine, 3);
    assert.equal(loadedModel?.id, model.id);
    assert.deepEqual(images, [imageB, null, null]);
    assert.deepEqual(stats, [
      { meanRating: 4, ratingCount: 2, bestBleu: 0.7 },
      { meanRating: null, ratingCount: 0, bestBleu: null },
    ]);
    assert.equal(missing, null);
    assert.equal(await db.createLoaders().myRatingByCaptionId.load(caption.id), null);
  });

  it('loads caption summaries without the JSON columns and their details only by caption id', async () => {
    const model = await addModel(db, unique('summary-model'));
    const [imageA, imageB] = [await addImage(db), await addImage(db)];
    const older = await addCaption(db, imageA.id, model.id, { beamSize: 1 });
    const attention = { rows: 2, cols: 2, steps: [{ word: 'a', weights: [0.1, 0.2, 0.3, 0.4] }] };
    const newer = await db.captions.save({
      imageId: imageA.id,
      modelId: model.id,
      settings: { beamSize: 3, maxLength: 20 },
      text: 'a square',
      tokens: ['a', 'square'],
      tokenIds: [4, 5],
      logProb: -1.5,
      nBest: [{ text: 'a square', tokens: ['a', 'square'], logProb: -1.5, score: -0.75 }],
      attention,
      sentenceBleu: null,
      latencyMs: 3,
    });
    const loaders = db.createLoaders();
    const [summaries, full, details] = await Promise.all([
      loaders.captionSummariesByImageId.loadMany([imageA.id, imageB.id, 'junk']),
      loaders.captionsByImageId.load(imageA.id),
      loaders.captionDetailsById.loadMany([newer.id, older.id, MISSING_ID, 'junk']),
    ]);
    const withoutJson = ({ nBest: _nBest, attention: _attention, ...summary }: CaptionRecord) => summary;
    assert.deepEqual(summaries, [full.map(withoutJson), [], []]);
    assert.deepEqual(
      full.map((caption) => caption.id),
      [newer.id, older.id],
    );
    assert.deepEqual(details, [
      { id: newer.id, nBest: newer.nBest, attention },
      { id: older.id, nBest: older.nBest, attention: null },
      null,
      null,
    ]);
  });
});
