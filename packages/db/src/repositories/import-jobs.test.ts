// Import jobs: life cycle with progress, one queued/running job per path (also for concurrent starts and for the
// database itself), resuming a requeued job, the rules the database and the repository enforce.
import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { ConstraintViolationError, ImportJobConflictError, InvalidInputError, NotFoundError } from '../errors.js';
import { IMPORT_FAILURES_KEPT } from '../limits.js';
import type { Database } from '../open-database.js';
import { describeRepository, MISSING_ID, rawSql, unique } from '../test-fixture.js';

const job = (path: string) => ({ path, format: 'flickr8k' as const, dataset: 'shapes' });
const counts = { total: 5, processed: 3, created: 2, skipped: 0, failed: 1, failures: ['a.png: file missing'] };

describeRepository('import jobs', (database) => {
  let db: Database;
  before(() => {
    db = database();
  });

  it('goes from queued to running with progress to succeeded, and frees the path for a new job', async () => {
    const path = `/data/${unique('flickr')}`;
    const created = await db.importJobs.create({
      ...job(path),
      splits: ['train', 'test'],
      importLimit: 5,
      caption: true,
    });
    assert.deepEqual(
      [created.status, created.splits, created.importLimit, created.caption, created.total, created.failures],
      ['queued', ['train', 'test'], 5, true, 0, []],
    );
    assert.equal(created.startedAt, null);
    assert.deepEqual(await db.importJobs.get(created.id), created);

    const running = await db.importJobs.markRunning(created.id);
    assert.equal(running.status, 'running');
    assert.ok(running.startedAt instanceof Date);
    const progressed = await db.importJobs.progress(created.id, counts);
    assert.deepEqual(
      [progressed.total, progressed.processed, progressed.created, progressed.failed, progressed.failures],
      [5, 3, 2, 1, ['a.png: file missing']],
    );
    assert.ok(progressed.updatedAt >= running.updatedAt);

    const done = await db.importJobs.finish(created.id, 'succeeded');
    assert.deepEqual([done.status, done.error, done.processed], ['succeeded', null, 3]);
    assert.ok(done.finishedAt instanceof Date);
    await assert.rejects(db.importJobs.progress(created.id, counts), /it is succeeded, not running/);
    await assert.rejects(db.importJobs.markRunning(created.id), /it is succeeded, not queued or running/);

    const next = await db.importJobs.create(job(path));
    assert.notEqual(next.id, created.id, 'a finished job does not block the path');
    assert.deepEqual(next.splits, [], 'no splits given: every split');
  });

  it('refuses a second queued/running job of a path, naming the active one, also for concurrent starts', async () => {
    const path = `/data/${unique('kaggle')}`;
    const results = await Promise.allSettled(Array.from({ length: 8 }, () => db.importJobs.create(job(path))));
    const created = results.filter((r) => r.status === 'fulfilled');
    assert.equal(created.length, 1, 'eight concurrent starts give one job');
    const activeId = (created[0] as PromiseFulfilledResult<{ id: string }>).value.id;
    for (const result of results.filter((r) => r.status === 'rejected')) {
      const error = (result as PromiseRejectedResult).reason as ImportJobConflictError;
      assert.ok(error instanceof ImportJobConflictError);
      assert.equal(error.activeJobId, activeId);
      assert.match(error.message, new RegExp(`already queued or running \\(job ${activeId}\\)`));
    }
    await db.importJobs.markRunning(activeId);
    await assert.rejects(db.importJobs.create(job(path)), ImportJobConflictError, 'running blocks it too');
    // The database itself refuses it, whoever writes.
    await assert.rejects(
      rawSql(
        db,
        `INSERT INTO import_jobs (path, format, dataset, splits, caption) VALUES ($1, 'kaggle', 'x', '{}', false)`,
        [path],
      ),
      /import_jobs_one_active_idx/,
    );
    const failed = await db.importJobs.finish(activeId, 'failed', 'the directory vanished');
    assert.deepEqual([failed.status, failed.error], ['failed', 'the directory vanished']);
    assert.equal((await db.importJobs.create(job(path))).status, 'queued');
  });

  it('requeues a stopped job with its progress, and resumes it keeping its first start time', async () => {
    const created = await db.importJobs.create(job(`/data/${unique('resume')}`));
    const first = await db.importJobs.markRunning(created.id);
    await db.importJobs.progress(created.id, counts);
    const requeued = await db.importJobs.requeue(created.id);
    assert.deepEqual([requeued.status, requeued.processed], ['queued', 3]);
    assert.ok(
      (await db.importJobs.listUnfinished()).some((j) => j.id === created.id),
      'listed as unfinished',
    );
    const resumed = await db.importJobs.markRunning(created.id);
    assert.equal(resumed.status, 'running');
    assert.deepEqual(resumed.startedAt, first.startedAt);
    assert.equal((await db.importJobs.markRunning(created.id)).status, 'running', 'a retry may take it over');
    await db.importJobs.finish(created.id, 'succeeded');
    assert.ok(!(await db.importJobs.listUnfinished()).some((j) => j.id === created.id));
  });

  it('lists unfinished jobs oldest first', async () => {
    const a = await db.importJobs.create(job(`/data/${unique('list-a')}`));
    const b = await db.importJobs.create(job(`/data/${unique('list-b')}`));
    await db.importJobs.markRunning(b.id);
    const ids = (await db.importJobs.listUnfinished()).map((j) => j.id);
    assert.ok(ids.indexOf(a.id) >= 0 && ids.indexOf(a.id) < ids.indexOf(b.id), JSON.stringify(ids));
  });

  it('enforces its rules: counts that add up, the failure cap, an error for failed, known ids', async () => {
    const created = await db.importJobs.create(job(`/data/${unique('rules')}`));
    await assert.rejects(db.importJobs.progress(created.id, counts), /it is queued, not running/);
    await db.importJobs.markRunning(created.id);
    await assert.rejects(db.importJobs.progress(created.id, { ...counts, created: 5 }), ConstraintViolationError);
    await assert.rejects(db.importJobs.progress(created.id, { ...counts, processed: 6, created: 5 }), /<= total/);
    const tooMany = Array.from({ length: IMPORT_FAILURES_KEPT + 1 }, (_, i) => `${i}.png: bad`);
    await assert.rejects(
      db.importJobs.progress(created.id, {
        ...counts,
        failed: 11,
        processed: 13,
        total: 13,
        created: 2,
        failures: tooMany,
      }),
      InvalidInputError,
    );
    await assert.rejects(db.importJobs.finish(created.id, 'failed', ' '), /needs an error message/);
    await assert.rejects(
      db.importJobs.create({ ...job(`/data/${unique('bad')}`), splits: ['everything' as 'train'] }),
      /splits must be "train", "val" or "test"/,
    );
    await assert.rejects(
      db.importJobs.create({ ...job(`/data/${unique('bad')}`), importLimit: -1 }),
      /not be negative/,
    );
    await assert.rejects(db.importJobs.markRunning(MISSING_ID), NotFoundError);
    await assert.rejects(db.importJobs.markRunning('not-a-uuid'), NotFoundError);
    assert.equal(await db.importJobs.get(MISSING_ID), null);
    assert.equal(await db.importJobs.get('not-a-uuid'), null);
  });
});
