// Reference captions: dataset order, duplicates and blanks skipped, per-split corpora and their version.
import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { NotFoundError } from '../errors.js';
import type { Database } from '../open-database.js';
import { describeRepository, MISSING_ID, unique } from '../test-fixture.js';
import { addImage } from '../test-support.js';

describeRepository('reference captions', (database) => {
  let db: Database;
  before(() => {
    db = database();
  });

  it('adds references in order, skipping blanks and ones already stored', async () => {
    const image = await addImage(db);
    assert.equal(await db.references.add(image.id, ['a red circle', '  ', 'a blue square']), 2);
    assert.equal(await db.references.add(image.id, ['a blue square', 'a green triangle']), 1);
    const references = await db.references.listByImage(image.id);
    assert.deepEqual(
      references.map((reference) => [reference.text, reference.position]),
      [
        ['a red circle', 0],
        ['a blue square', 1],
        ['a green triangle', 2],
      ],
    );
    assert.ok(references.every((reference) => reference.imageId === image.id));
  });

  it('lists the references of a dataset split per image, with a version that moves when one is added', async () => {
    const dataset = unique('refcorpus');
    const [first, second] = [
      await addImage(db, { dataset, split: 'test' }),
      await addImage(db, { dataset, split: 'test' }),
    ];
    await addImage(db, { dataset, split: 'test' }); // no references: not a document
    const elsewhere = await addImage(db, { dataset, split: 'val' });
    await db.references.add(first.id, ['a red circle', 'a circle']);
    await db.references.add(second.id, ['a blue square']);
    await db.references.add(elsewhere.id, ['not in the test split']);
    const corpus = await db.references.listBySplit({ dataset, split: 'test' });
    assert.deepEqual(
      [...corpus].sort((a, b) => a.length - b.length),
      [['a blue square'], ['a red circle', 'a circle']],
    );
    const version = await db.references.splitVersion({ dataset, split: 'test' });
    assert.equal(await db.references.splitVersion({ dataset, split: 'test' }), version);
    await db.references.add(second.id, ['a blue square']); // already stored: nothing changes
    assert.equal(await db.references.splitVersion({ dataset, split: 'test' }), version);
    await db.references.add(second.id, ['a square']);
    assert.notEqual(await db.references.splitVersion({ dataset, split: 'test' }), version);
    assert.deepEqual(await db.references.listBySplit({ dataset: unique('none'), split: 'test' }), []);
  });

  it('refuses references of an unknown image', async () => {
    await assert.rejects(db.references.add(MISSING_ID, ['text']), (error: unknown) => {
      assert.ok(error instanceof NotFoundError);
      assert.equal(error.entity, 'image');
      return true;
    });
  });
});
