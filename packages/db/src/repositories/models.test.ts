// Models: registered from manifests, refreshed, refused without the fields the service needs.
import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { ConstraintViolationError, InvalidInputError } from '../errors.js';
import type { Database } from '../open-database.js';
import { describeRepository, unique } from '../test-fixture.js';
import { addModel } from '../test-support.js';

describeRepository('models', (database) => {
  let db: Database;
  before(() => {
    db = database();
  });

  it('registers a model from its manifest and refreshes it', async () => {
    const id = unique('shapes-lstm');
    const model = await addModel(db, id);
    assert.deepEqual([model.id, model.variant, model.dataset, model.format], [id, 'lstm', 'shapes', 1]);
    assert.deepEqual(model.params, { trainable: 1000, frozen: 10, total: 1010 });
    assert.equal((model.manifest as { maxLength: number }).maxLength, 20);
    const changed = await db.models.upsertFromManifest({
      id,
      variant: 'lstm',
      format: 1,
      dataset: { name: 'shapes' },
      metrics: { val: {} },
    });
    assert.deepEqual(changed.metrics, { val: {} });
    assert.deepEqual(await db.models.getById(id), changed);
    assert.ok((await db.models.list()).some((listed) => listed.id === id));
    assert.equal(await db.models.getById('no-such-model'), null);
  });

  it('rejects manifests without the fields the service needs', async () => {
    await assert.rejects(
      db.models.upsertFromManifest({ id: 'x', variant: 'transformer', format: 1, dataset: { name: 'd' } }),
      InvalidInputError,
    );
    await assert.rejects(db.models.upsertFromManifest({ variant: 'lstm' }), InvalidInputError);
    await assert.rejects(db.models.upsertFromManifest([]), InvalidInputError);
    await assert.rejects(
      db.models.upsertFromManifest({ id: 'Bad Id', variant: 'lstm', format: 1, dataset: { name: 'd' } }),
      (error: unknown) => error instanceof ConstraintViolationError && error.constraint === 'models_id_check',
    );
  });
});
