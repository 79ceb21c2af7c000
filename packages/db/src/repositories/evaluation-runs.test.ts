// Evaluation runs: life cycle, joining an identical active run, failing, requeueing, the database refusing a second active run.
import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { ConstraintViolationError, NotFoundError } from '../errors.js';
import type { Database } from '../open-database.js';
import { describeRepository, MISSING_ID, rawSql, unique } from '../test-fixture.js';
import { addModel } from '../test-support.js';

/** An evaluation result with every score equal to `score`. */
/** An evaluation result with every score equal to `score`. */
const result = (score: number) => ({
  bleu: [score, score, score, score] as const,
  cider: { value: score, version: 'cider-test' },
  rougeL: { value: score, version: 'rouge-test' },
});

describeRepository('evaluation runs', (database) => {
  let db: Database;
  before(() => {
    db = database();
  });

  it('goes from queued to succeeded, and an identical start joins the active run', async () => {
    const model = await addModel(db, unique('eval-model'));
    const request = {
      modelId: model.id,
      split: 'test' as const,
      settings: { beamSize: 3, maxLength: 20 },
      metricVersion: 'bleu-nltk-1',
    };
    const started = await Promise.all(Array.from({ length: 10 }, () => db.evaluationRuns.startOrJoin(request)));
    const ids = new Set(started.map((result) => result.run.id));
    assert.equal(ids.size, 1, 'ten concurrent starts give one run');
    assert.equal(started.filter((result) => !result.joined).length, 1);
    const run = started[0]!.run;
    assert.deepEqual([run.status, run.done, run.total, run.bleu, run.dataset], ['queued', 0, 0, null, null]);

    const other = await db.evaluationRuns.startOrJoin({ ...request, settings: { beamSize: 1, maxLength: 20 } });
    assert.equal(other.joined, false);
    const otherDataset = await db.evaluationRuns.startOrJoin({ ...request, dataset: 'flickr8k' });
    assert.equal(otherDataset.joined, false);

    const running = await db.evaluationRuns.claim(run.id);
    assert.equal(running?.status, 'running');
    assert.ok(running?.startedAt instanceof Date);
    assert.equal(await db.evaluationRuns.claim(run.id), null, 'a running run cannot be claimed twice');
    await db.evaluationRuns.setTotal(run.id, 10);
    const progressed = await db.evaluationRuns.progress(run.id, { done: 4, reusedCaptions: 2 });
    assert.deepEqual([progressed.done, progressed.total, progressed.reusedCaptions], [4, 10, 2]);
    await assert.rejects(db.evaluationRuns.progress(run.id, { done: 11 }), ConstraintViolationError);
    assert.equal((await db.evaluationRuns.startOrJoin(request)).joined, true);

    assert.deepEqual(
      [running?.cider, running?.ciderVersion, running?.rougeL, running?.rougeLVersion],
      [null, null, null, null],
      'CIDEr-D and ROUGE-L are unmeasured until the run succeeds',
    );
    const done = await db.evaluationRuns.succeed(run.id, {
      bleu: [0.8, 0.6, 0.45, 0.3],
      cider: { value: 1.25, version: 'cider-d@1' },
      rougeL: { value: 0.55, version: 'rouge-l@1' },
    });
    assert.deepEqual(
      [done.status, done.bleu, done.cider, done.ciderVersion, done.rougeL, done.rougeLVersion, done.error],
      ['succeeded', [0.8, 0.6, 0.45, 0.3], 1.25, 'cider-d@1', 0.55, 'rouge-l@1', null],
    );
    assert.ok(done.finishedAt instanceof Date);
    await assert.rejects(db.evaluationRuns.succeed(run.id, result(1)), /it is succeeded, not running/);

    const next = await db.evaluationRuns.startOrJoin(request);
    assert.equal(next.joined, false, 'after it finished, the same request starts a new run');
    assert.deepEqual(await db.evaluationRuns.getById(run.id), done);
    const latest = await db.evaluationRuns.latestSucceeded();
    assert.deepEqual(
      latest.filter((entry) => entry.modelId === model.id).map((entry) => entry.id),
      [run.id],
    );
    const listed = await db.evaluationRuns.list({ modelId: model.id });
    assert.equal(listed.length, 4);
    assert.equal(listed[0]?.id, next.run.id, 'newest first');
  });

  it('fails runs with a message, requeues interrupted ones and rejects a second active run in the database', async () => {
    const model = await addModel(db, unique('eval-fail'));
    const request = {
      modelId: model.id,
      split: 'val' as const,
      settings: { beamSize: 2, maxLength: 20 },
      metricVersion: 'v1',
    };
    const { run } = await db.evaluationRuns.startOrJoin(request);
    await assert.rejects(db.evaluationRuns.succeed(run.id, result(0.1)), /it is queued, not running/);
    await assert.rejects(
      rawSql(
        db,
        `INSERT INTO evaluation_runs (model_id, split, settings_key, settings, metric_version)
                  VALUES ($1, 'val', $2, '{}', 'v1')`,
        [model.id, run.settingsKey],
      ),
      /evaluation_runs_one_active_idx/,
    );
    await db.evaluationRuns.claim(run.id);
    await db.evaluationRuns.progress(run.id, { done: 0 });
    const requeued = await db.evaluationRuns.requeueInterrupted();
    const mine = requeued.find((entry) => entry.id === run.id);
    assert.deepEqual([mine?.status, mine?.startedAt], ['queued', null]);
    // claimNext hands out queued runs oldest first; ours is among them.
    let claimed = await db.evaluationRuns.claimNext();
    const claimedIds: string[] = [];
    while (claimed && claimed.id !== run.id) {
      claimedIds.push(claimed.id);
      claimed = await db.evaluationRuns.claimNext();
    }
    assert.equal(claimed?.status, 'running');
    // A score without the version of its definition (or the reverse) would be unreadable later.
    await assert.rejects(
      rawSql(db, `UPDATE evaluation_runs SET cider = 1 WHERE id = $1`, [run.id]),
      /evaluation_runs_cider_version_check/,
    );
    await assert.rejects(
      rawSql(db, `UPDATE evaluation_runs SET rouge_l_version = 'v' WHERE id = $1`, [run.id]),
      /evaluation_runs_rouge_l_version_check/,
    );
    await assert.rejects(
      rawSql(db, `UPDATE evaluation_runs SET rouge_l = 1.5, rouge_l_version = 'v' WHERE id = $1`, [run.id]),
      /evaluation_runs_rouge_l_check/,
    );
    const failed = await db.evaluationRuns.fail(run.id, 'model not loaded');
    assert.deepEqual([failed.status, failed.error], ['failed', 'model not loaded']);
    for (const id of claimedIds) await db.evaluationRuns.fail(id, 'cleared by test');
    await assert.rejects(db.evaluationRuns.fail(MISSING_ID, 'x'), NotFoundError);
  });
});
