// Captions: one per image + model + decode settings, JSON columns kept, rule breakers refused.
import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { ConstraintViolationError, InvalidInputError, NotFoundError } from '../errors.js';
import type { Database } from '../open-database.js';
import { countRows, describeRepository, MISSING_ID, unique } from '../test-fixture.js';
import { addCaption, addImage, addModel } from '../test-support.js';

describeRepository('captions', (database) => {
  let db: Database;
  before(() => {
    db = database();
  });

  it('stores one caption per image, model and decode settings, and finds it by settings', async () => {
    const model = await addModel(db, unique('cap-model'));
    const image = await addImage(db);
    const saved = await addCaption(db, image.id, model.id, { text: 'a red circle' });
    assert.equal(saved.settingsKey, 'beamSize=3;maxLength=20');
    assert.deepEqual(saved.tokens, ['a', 'red', 'circle']);
    assert.deepEqual(saved.tokenIds, [4, 5, 6]);
    assert.equal(saved.logProb, -3.25);
    assert.equal(saved.sentenceBleu, 0.5);
    assert.deepEqual(saved.nBest, [
      { text: 'a red circle', tokens: ['a', 'red', 'circle'], logProb: -3.25, score: -0.46 },
    ]);

    const found = await db.captions.find({
      imageId: image.id,
      modelId: model.id,
      settings: { maxLength: 20, beamSize: 3 },
    });
    assert.deepEqual(found, saved);
    assert.equal(
      await db.captions.find({ imageId: image.id, modelId: model.id, settings: { beamSize: 1, maxLength: 20 } }),
      null,
    );

    const replaced = await addCaption(db, image.id, model.id, { text: 'a blue square' });
    assert.equal(replaced.id, saved.id, 'same settings replace the caption in place');
    const greedy = await addCaption(db, image.id, model.id, { text: 'a square', beamSize: 1 });
    assert.notEqual(greedy.id, saved.id);
    const listed = await db.captions.listByImage(image.id);
    assert.deepEqual(listed.map((caption) => caption.text).sort(), ['a blue square', 'a square']);
    assert.deepEqual(await db.captions.getById(saved.id), replaced);
    const map = await db.captions.findForImages({
      modelId: model.id,
      settings: { beamSize: 1, maxLength: 20 },
      imageIds: [image.id, MISSING_ID],
    });
    assert.deepEqual([...map.keys()], [image.id]);
    assert.equal((await db.captions.setSentenceBleu(greedy.id, 0.25)).sentenceBleu, 0.25);
  });

  it('keeps attention maps as JSON', async () => {
    const model = await addModel(db, unique('att-model'), 'attention');
    const image = await addImage(db);
    const attention = { rows: 2, cols: 2, steps: [{ word: 'a', weights: [0.1, 0.2, 0.3, 0.4] }] };
    const saved = await db.captions.save({
      imageId: image.id,
      modelId: model.id,
      settings: { beamSize: 1, maxLength: 5 },
      text: 'a',
      tokens: ['a'],
      tokenIds: [4],
      logProb: -0.5,
      nBest: [],
      attention,
      sentenceBleu: null,
      latencyMs: 3,
    });
    assert.deepEqual(saved.attention, attention);
    assert.equal(saved.sentenceBleu, null);
  });

  it('rejects captions that break the rules, storing nothing', async () => {
    const model = await addModel(db, unique('bad-cap'));
    const image = await addImage(db);
    const base = {
      imageId: image.id,
      modelId: model.id,
      settings: { beamSize: 3, maxLength: 20 },
      text: 'a b',
      tokens: ['a', 'b'],
      tokenIds: [4, 5],
      logProb: -1,
      nBest: [],
      latencyMs: 1,
    };
    await assert.rejects(
      db.captions.save({ ...base, tokenIds: [4] }),
      (error: unknown) => error instanceof ConstraintViolationError && error.constraint === 'captions_token_ids_check',
    );
    await assert.rejects(
      db.captions.save({ ...base, sentenceBleu: 1.5 }),
      (error: unknown) =>
        error instanceof ConstraintViolationError && error.constraint === 'captions_sentence_bleu_check',
    );
    await assert.rejects(db.captions.save({ ...base, logProb: 0.5 }), ConstraintViolationError);
    await assert.rejects(db.captions.save({ ...base, latencyMs: Number.NaN }), InvalidInputError);
    await assert.rejects(
      db.captions.save({ ...base, modelId: 'no-such-model' }),
      (error: unknown) => error instanceof NotFoundError && error.entity === 'model' && error.id === 'no-such-model',
    );
    await assert.rejects(
      db.captions.save({ ...base, imageId: MISSING_ID }),
      (error: unknown) => error instanceof NotFoundError && error.entity === 'image',
    );
    await assert.rejects(db.captions.save({ ...base, settings: {} }), InvalidInputError);
    assert.equal(await countRows(db, 'captions', 'image_id = $1', [image.id]), 0);
  });
});
