import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CaptionQueue, QueueClosedError, type CaptionJob } from './caption-queue.js';

const job = (imageId: string, modelId = 'm', beamSize = 3): CaptionJob => ({
  imageId,
  modelId,
  beamSize,
  maxLength: 20,
});

/** A runner whose batches finish when the test says so. */
function controlledRunner() {
  const batches: { jobs: CaptionJob[]; finish: () => void }[] = [];
  let active = 0;
  let maxActive = 0;
  const run = (jobs: CaptionJob[]) =>
    new Promise<string[]>((resolve) => {
      active++;
      maxActive = Math.max(maxActive, active);
      batches.push({
        jobs,
        finish: () => {
          active--;
          resolve(jobs.map((j) => `caption of ${j.imageId}`));
        },
      });
    });
  return { run, batches, maxActive: () => maxActive };
}

const tick = () => new Promise((r) => setImmediate(r));

test('never runs more batches at once than the concurrency and finishes every job', async () => {
  const r = controlledRunner();
  const queue = new CaptionQueue(r.run, 2, 1);
  const results = Array.from({ length: 7 }, (_, i) => queue.enqueue(job(`img${i}`)));
  for (let done = 0; done < 7; done++) {
    await tick();
    assert.ok(queue.stats().running <= 2);
    r.batches[done]!.finish();
  }
  assert.deepEqual(
    await Promise.all(results),
    Array.from({ length: 7 }, (_, i) => `caption of img${i}`),
  );
  assert.equal(r.maxActive(), 2);
  await queue.onIdle();
});

test('the same job asked twice runs once and both callers get the result', async () => {
  const r = controlledRunner();
  const queue = new CaptionQueue(r.run, 1, 8);
  const a = queue.enqueue(job('x'));
  const b = queue.enqueue(job('x'), 'interactive');
  await tick();
  assert.equal(r.batches.length, 1);
  assert.equal(r.batches[0]!.jobs.length, 1);
  r.batches[0]!.finish();
  assert.equal(await a, 'caption of x');
  assert.equal(await b, 'caption of x');
});

test('jobs of one model and settings are batched; interactive jobs go first', async () => {
  const r = controlledRunner();
  const queue = new CaptionQueue(r.run, 1, 3);
  const all = [queue.enqueue(job('busy', 'other'))]; // occupies the only worker
  await tick();
  all.push(queue.enqueue(job('b1')), queue.enqueue(job('b2')), queue.enqueue(job('b3')), queue.enqueue(job('b4')));
  all.push(queue.enqueue(job('urgent', 'fast', 1), 'interactive'));
  assert.equal(queue.hasWorkFor('b4'), true);
  r.batches[0]!.finish();
  await tick();
  assert.deepEqual(
    r.batches[1]!.jobs.map((j) => j.imageId),
    ['urgent'],
  );
  r.batches[1]!.finish();
  await tick();
  assert.deepEqual(
    r.batches[2]!.jobs.map((j) => j.imageId),
    ['b1', 'b2', 'b3'],
  );
  r.batches[2]!.finish();
  await tick();
  r.batches[3]!.finish();
  await Promise.all(all);
  assert.equal(queue.hasWorkFor('b4'), false);
});

test('a failing job rejects only its own callers', async () => {
  const queue = new CaptionQueue<string>(
    async (jobs) => jobs.map((j) => (j.imageId === 'bad' ? new Error('broken image') : 'ok')),
    1,
    8,
  );
  const good = queue.enqueue(job('good'));
  const bad = queue.enqueue(job('bad'));
  assert.equal(await good, 'ok');
  await assert.rejects(bad, /broken image/);
});

test('close lets the running batch finish and rejects waiting jobs', async () => {
  const r = controlledRunner();
  const queue = new CaptionQueue(r.run, 1, 1);
  const running = queue.enqueue(job('a'));
  await tick();
  const waiting = queue.enqueue(job('b'));
  const closing = queue.close(5_000);
  await assert.rejects(waiting, QueueClosedError);
  r.batches[0]!.finish();
  assert.deepEqual(await closing, { dropped: 1, unfinished: 0 });
  assert.equal(await running, 'caption of a');
  await assert.rejects(queue.enqueue(job('c')), QueueClosedError);
});

test('a group function batches several models’ jobs for the same images, at most maxBatch distinct images', async () => {
  const r = controlledRunner();
  // Models "lstm" and "attention" share an encoder, "other" does not.
  const queue = new CaptionQueue(r.run, 1, 2, undefined, (j) => (j.modelId === 'other' ? 'other' : 'resnet'));
  const all = [queue.enqueue(job('busy', 'other'))];
  await tick();
  for (const id of ['i1', 'i2', 'i3']) {
    all.push(queue.enqueue(job(id, 'lstm')), queue.enqueue(job(id, 'attention', 5)), queue.enqueue(job(id, 'other')));
  }
  r.batches[0]!.finish();
  await tick();
  assert.deepEqual(
    r.batches[1]!.jobs.map((j) => `${j.imageId} ${j.modelId}`),
    ['i1 lstm', 'i1 attention', 'i2 lstm', 'i2 attention'],
  );
  r.batches[1]!.finish();
  await tick();
  assert.deepEqual(
    r.batches[2]!.jobs.map((j) => `${j.imageId} ${j.modelId}`),
    ['i1 other', 'i2 other'],
  );
  for (let b = 2; b < 5; b++) {
    r.batches[b]!.finish();
    await tick();
  }
  assert.deepEqual(
    r.batches.slice(3).map((batch) => batch.jobs.map((j) => `${j.imageId} ${j.modelId}`)),
    [['i3 lstm', 'i3 attention'], ['i3 other']],
  );
  assert.equal((await Promise.all(all)).length, 10);
});

test('a closed queue refuses jobs until it is reopened', async () => {
  const queue = new CaptionQueue<string>(async (jobs) => jobs.map((j) => j.imageId), 1);
  await queue.close(0);
  await assert.rejects(queue.enqueue({ imageId: 'x', modelId: 'm', beamSize: 1, maxLength: 5 }), {
    name: 'QueueClosedError',
  });
  queue.reopen();
  assert.equal(await queue.enqueue({ imageId: 'y', modelId: 'm', beamSize: 1, maxLength: 5 }), 'y');
});
