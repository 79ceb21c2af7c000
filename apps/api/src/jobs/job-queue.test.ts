// The durable job queue on a real (embedded) PostgreSQL: processes starting together on a fresh database, caption
// jobs deduplicated per key, interactive ones first, failed ones retried and then dead, pending images.
import assert from 'node:assert/strict';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { openDatabase, type Database } from '@captioner/db';
import { CAPTION_QUEUE, JobQueue, type JobQueueOptions } from './job-queue.js';

const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
let db: Database;
let dataDir: string;
const opened: JobQueue[] = [];

const options = (): JobQueueOptions => ({
  connectionString: db.connectionString,
  retryLimit: 1,
  retryDelaySeconds: 1,
  expireSeconds: 60,
  importExpireSeconds: 600,
  maintenanceIntervalSeconds: 60,
  log: () => undefined,
});

before(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'captioner-job-queue-'));
  await chmod(dataDir, 0o755);
  db = await openDatabase({ dataDir, migrationsDir: path.join(repoRoot, 'prisma', 'migrations') });
});
after(async () => {
  for (const queue of opened) await queue.stop();
  await db?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

const job = (imageId: string, modelId = 'm') => ({ imageId, modelId, beamSize: 3, maxLength: 20 });

test('processes opening the queue together on a fresh database all start (no deadlock, no half-made schema)', async () => {
  opened.push(...(await Promise.all([1, 2, 3].map(() => JobQueue.open(db.pool, options())))));
  const counts = await opened[0]!.counts();
  assert.deepEqual(
    counts.map((c) => c.queue),
    ['caption', 'evaluate', 'import'],
  );
});

test('a caption job waiting already is not queued twice; an interactive one is, and is fetched first', async () => {
  const queue = opened[0]!;
  await queue.sendCaptions([job('a'), job('b')], 'background');
  await queue.sendCaptions([job('a'), job('b')], 'background');
  await queue.sendCaptions([job('b')], 'interactive');
  const caption = (await queue.counts()).find((c) => c.queue === 'caption')!;
  assert.equal(caption.queued, 3);
  assert.deepEqual(await queue.imagesWithPendingCaptions(['a', 'b', 'c']), new Set(['a', 'b']));
  const [first] = await queue.boss.fetch<{ imageId: string }>(CAPTION_QUEUE, { batchSize: 1 });
  assert.equal(first!.data.imageId, 'b', 'the interactive job goes first');
  const rest = await queue.boss.fetch<{ imageId: string }>(CAPTION_QUEUE, { batchSize: 10 });
  assert.deepEqual(rest.map((j) => j.data.imageId).sort(), ['a', 'b']);
  await queue.boss.complete(CAPTION_QUEUE, [first!.id, ...rest.map((j) => j.id)]);
  assert.deepEqual(await queue.imagesWithPendingCaptions(['a', 'b']), new Set());
});

test('a job that keeps failing is retried, then dead with its error in deadJobs', async () => {
  const queue = opened[0]!;
  await queue.sendCaptions([job('broken')], 'background');
  for (let attempt = 0; attempt < 2; attempt++) {
    let fetched: { id: string }[] = [];
    const deadline = Date.now() + 15_000;
    while (fetched.length === 0 && Date.now() < deadline) {
      fetched = await queue.boss.fetch(CAPTION_QUEUE, { batchSize: 1 });
      if (fetched.length === 0) await new Promise((resolve) => setTimeout(resolve, 200));
    }
    assert.equal(fetched.length, 1, `attempt ${attempt + 1} was fetched`);
    await queue.boss.fail(CAPTION_QUEUE, fetched[0]!.id, { message: `cannot decode (attempt ${attempt + 1})` });
  }
  const caption = (await queue.counts()).find((c) => c.queue === 'caption')!;
  assert.equal(caption.failed, 1);
  assert.equal(caption.queued + caption.retrying, 0);
  const [dead] = await queue.deadJobs(10);
  assert.equal(dead!.queue, 'caption');
  assert.equal(dead!.error, 'cannot decode (attempt 2)');
  assert.equal(dead!.attempts, 2);
  assert.deepEqual(dead!.data, job('broken'));
});

test('caption jobs queued together are fetched in the order they were given (both models of an image together)', async () => {
  const queue = opened[0]!;
  const order = Array.from({ length: 40 }, (_, i) => job(`o${Math.floor(i / 2)}`, i % 2 === 0 ? 'lstm' : 'attention'));
  await queue.sendCaptions(order, 'background');
  // Each fetch of 4 takes the next 4 jobs given: two images, both models each.
  const key = (j: { imageId: string; modelId: string }) => `${j.imageId}/${j.modelId}`;
  for (let start = 0; start < order.length; start += 4) {
    const fetched = await queue.boss.fetch<{ imageId: string; modelId: string }>(CAPTION_QUEUE, { batchSize: 4 });
    assert.deepEqual(
      fetched.map((j) => key(j.data)).sort(),
      order
        .slice(start, start + 4)
        .map(key)
        .sort(),
    );
    await queue.boss.complete(
      CAPTION_QUEUE,
      fetched.map((j) => j.id),
    );
  }
});
