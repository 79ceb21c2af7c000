// Database health check.
import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import type { Database } from './open-database.js';
import { describeRepository } from './test-fixture.js';

describeRepository('health', (database) => {
  let db: Database;
  before(() => {
    db = database();
  });

  it('reports healthy', async () => {
    const health = await db.health();
    assert.equal(health.ok, true);
  });
});
