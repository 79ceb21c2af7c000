// Preferences: one vote per voter per pair in the caller's order, bad pairs refused, unjudged pairs offered.
import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { InvalidInputError, NotFoundError } from '../errors.js';
import type { Database } from '../open-database.js';
import { countRows, describeRepository, MISSING_ID, rawSql, unique } from '../test-fixture.js';
import { addCaption, addImage, addModel } from '../test-support.js';

describeRepository('preferences', (database) => {
  let db: Database;
  before(() => {
    db = database();
  });

  async function pairOnOneImage() {
    const [modelA, modelB] = [await addModel(db, unique('pa')), await addModel(db, unique('pb'), 'attention')];
    const image = await addImage(db);
    const a = await addCaption(db, image.id, modelA.id);
    const b = await addCaption(db, image.id, modelB.id);
    return { image, a, b, modelA, modelB };
  }

  it("records one vote per voter per pair, in the caller's A/B order", async () => {
    const { image, a, b } = await pairOnOneImage();
    const first = await db.preferences.record({
      imageId: image.id,
      captionAId: a.id,
      captionBId: b.id,
      winner: 'A',
      voterId: 'p1',
    });
    assert.deepEqual([first.captionAId, first.captionBId, first.winner], [a.id, b.id, 'A']);
    // The same pair shown the other way round: still one vote, now for b.
    const second = await db.preferences.record({
      imageId: image.id,
      captionAId: b.id,
      captionBId: a.id,
      winner: 'A',
      voterId: 'p1',
    });
    assert.equal(second.id, first.id);
    assert.deepEqual([second.captionAId, second.captionBId, second.winner], [b.id, a.id, 'A']);
    assert.equal(await countRows(db, 'preferences', 'image_id = $1', [image.id]), 1);
    await db.preferences.record({
      imageId: image.id,
      captionAId: a.id,
      captionBId: b.id,
      winner: 'TIE',
      voterId: 'p2',
    });
    assert.equal(await countRows(db, 'preferences', 'image_id = $1', [image.id]), 2);
  });

  it("rejects pairs that are not two models' captions of that image", async () => {
    const { image, a, modelA } = await pairOnOneImage();
    const otherImage = await addImage(db);
    const sameModel = await addCaption(db, image.id, modelA.id, { beamSize: 1 });
    const elsewhere = await addCaption(db, otherImage.id, modelA.id);
    const vote = { imageId: image.id, captionAId: a.id, winner: 'A' as const, voterId: 'p3' };
    await assert.rejects(db.preferences.record({ ...vote, captionBId: sameModel.id }), /two different models/);
    await assert.rejects(db.preferences.record({ ...vote, captionBId: elsewhere.id }), /is not a caption of image/);
    await assert.rejects(db.preferences.record({ ...vote, captionBId: a.id }), InvalidInputError);
    await assert.rejects(db.preferences.record({ ...vote, captionBId: MISSING_ID }), NotFoundError);
    await assert.rejects(
      db.preferences.record({ ...vote, captionBId: sameModel.id, winner: 'C' as never }),
      InvalidInputError,
    );
    // The database enforces the same image and different models even for raw writes.
    const [low, high] = [a.id, elsewhere.id].sort();
    await assert.rejects(
      rawSql(
        db,
        `INSERT INTO preferences (image_id, caption_a_id, model_a_id, caption_b_id, model_b_id, winner, voter_id)
                  VALUES ($1, $2, $3, $4, $3, 'A', 'raw')`,
        [image.id, low, modelA.id, high],
      ),
      /preferences_distinct_models_check|preferences_caption_[ab]_fkey/,
    );
    assert.equal(await countRows(db, 'preferences', 'image_id = $1', [image.id]), 0);
  });

  it('offers comparisons the voter has not judged until none are left', async () => {
    await pairOnOneImage();
    const voterId = unique('judge');
    const seen = new Set<string>();
    for (let round = 0; round < 500; round++) {
      const candidate = await db.preferences.nextComparison({ voterId });
      if (!candidate) break;
      assert.ok(!seen.has(candidate.imageId), 'an image already judged is not offered again');
      seen.add(candidate.imageId);
      const [a, b] = [await db.captions.getById(candidate.captionAId), await db.captions.getById(candidate.captionBId)];
      assert.ok(
        a && b && a.imageId === candidate.imageId && b.imageId === candidate.imageId && a.modelId !== b.modelId,
      );
      await db.preferences.record({ ...candidate, winner: 'TIE', voterId });
    }
    assert.ok(seen.size >= 1);
    assert.equal(await db.preferences.nextComparison({ voterId }), null);
  });
});
