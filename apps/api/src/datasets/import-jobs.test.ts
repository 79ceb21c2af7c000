// ImportJobs on a real (embedded) PostgreSQL: start() stores the job queued and hands it to `enqueue`; run() in
// another ImportJobs (a worker) executes it, with throttled progress; another instance reads it; CONFLICT for a
// second start of the same path; a stopped run is queued again and resumes; a failed enqueue frees the path; the
// default enqueue runs the job in this process.
import assert from 'node:assert/strict';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { openDatabase, type Database } from '@captioner/db';
import { ApiError } from '../errors.js';
import { ImportJobs, type ImportJob, type ImportJobsOptions } from './import-jobs.js';

const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
const fixtures = path.join(repoRoot, 'training', 'tests', 'fixtures');
const FIXTURE_IMAGES = 8; // in each fixture

let db: Database;
let dataDir: string;

before(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'captioner-import-jobs-'));
  await chmod(dataDir, 0o755);
  db = await openDatabase({ dataDir, migrationsDir: path.join(repoRoot, 'prisma', 'migrations') });
});
after(async () => {
  await db?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

/** An ImportJobs over the fixtures with the job states it published. */
function importJobs(options: Partial<ImportJobsOptions> = {}) {
  const published: ImportJob[] = [];
  const jobs = new ImportJobs(db, {
    importRoot: fixtures,
    limits: { maxBytes: 10 * 1024 * 1024, maxPixels: 50_000_000 },
    captionInBackground: () => {},
    onJobChange: (job) => published.push(job),
    ...options,
  });
  return { jobs, published };
}

async function waitFor<T>(what: string, read: () => Promise<T | null>): Promise<T> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const value = await read();
    if (value !== null) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

test('a run stopped between images is queued again with its progress, and resumes skipping what is stored', async () => {
  const queued: string[] = [];
  const api = importJobs({ enqueue: (id) => void queued.push(id) });
  const job = await api.jobs.start({ path: 'flickr8k', dataset: 'jobs-b' });
  let stopping: Promise<void> | null = null;
  const first = importJobs({
    progressEveryImages: 1,
    onJobChange: (j) => {
      if (j.processed >= 2) stopping ??= first.jobs.stop();
    },
  });
  const stopped = await first.jobs.run(job.id);
  await stopping;
  assert.equal(stopped.status, 'queued', 'handed back to the queue');
  assert.ok(stopped.processed >= 2 && stopped.processed < stopped.total, `${stopped.processed}/${stopped.total}`);
  assert.ok(stopped.startedAt);
  assert.equal((await db.importJobs.listUnfinished()).filter((j) => j.id === job.id).length, 1);
  assert.equal((await first.jobs.run(job.id)).status, 'queued', 'a stopped instance runs nothing more');

  const second = importJobs();
  const resumed = await second.jobs.run(job.id);
  assert.equal(resumed.status, 'succeeded');
  assert.equal(resumed.total, stopped.total);
  assert.ok(stopped.created >= 2, 'the first run stored images');
  assert.deepEqual([resumed.skipped, resumed.created], [stopped.created, stopped.total - stopped.created]);
  assert.deepEqual(resumed.startedAt, stopped.startedAt, 'started once');
});

test('start stores the job queued and enqueues its id; a worker runs it with throttled progress; any instance reads it', async () => {
  const queued: string[] = [];
  const api = importJobs({ enqueue: (id) => void queued.push(id) });
  const job = await api.jobs.start({ path: 'kaggle', dataset: 'jobs-a' });
  assert.deepEqual([job.status, job.startedAt, job.format, job.dataset], ['queued', null, 'kaggle', 'jobs-a']);
  assert.deepEqual(queued, [job.id], 'handed to enqueue, not run');
  assert.deepEqual(
    api.published.map((j) => j.status),
    ['queued'],
  );
  const conflict = await api.jobs.start({ path: 'kaggle' }).catch((error: unknown) => error);
  assert.ok(conflict instanceof ApiError && conflict.code === 'CONFLICT', String(conflict));
  assert.equal(conflict.extensions.jobId, job.id);
  assert.match(conflict.message, new RegExp(`queued or running; poll importJob\\(id: "${job.id}"\\)`));

  const worker = importJobs({ progressEveryImages: 3, progressIntervalMs: 60_000 });
  const done = await worker.jobs.run(job.id);
  // The kaggle fixture holds the flickr8k fixture's images, which the test before stored.
  assert.deepEqual(
    [done.status, done.total, done.processed, done.created, done.skipped, done.failed, done.error],
    ['succeeded', FIXTURE_IMAGES, FIXTURE_IMAGES, 0, FIXTURE_IMAGES, 0, null],
  );
  assert.ok(done.startedAt && done.finishedAt && done.finishedAt >= done.startedAt);
  // Written when running, at the first progress (total known), every 3 images, at the end: not once per image.
  const states = worker.published.map((j) => `${j.status} ${j.processed}/${j.total}`);
  assert.deepEqual(states, [
    'running 0/0',
    'running 0/8',
    'running 3/8',
    'running 6/8',
    'running 8/8',
    'succeeded 8/8',
  ]);
  // Another instance (another replica) answers from the database.
  assert.deepEqual(await importJobs().jobs.get(job.id), done);
  assert.deepEqual(await worker.jobs.run(job.id), done, 'running a finished job again changes nothing');
  assert.equal(await api.jobs.get('00000000-0000-4000-8000-000000000000'), null);
  assert.equal(await api.jobs.get('not-an-id'), null);
});

test('an enqueue that fails fails the job and frees the path', async () => {
  const api = importJobs({
    enqueue: () => {
      throw new Error('queue unreachable');
    },
  });
  await assert.rejects(api.jobs.start({ path: 'karpathy', dataset: 'jobs-c' }), /queue unreachable/);
  const failed = api.published.at(-1)!;
  assert.deepEqual([failed.status, failed.error], ['failed', 'Could not queue the import: queue unreachable']);
  const ok = importJobs({ enqueue: () => {} });
  assert.equal((await ok.jobs.start({ path: 'karpathy', dataset: 'jobs-c' })).status, 'queued');
});

test('by default the job runs in this process; stop() waits for it', async () => {
  const local = importJobs();
  const job = await local.jobs.start({ path: 'flickr8k', dataset: 'jobs-d', limit: 3 });
  const done = await waitFor('the in-process job', async () => {
    const current = await local.jobs.get(job.id);
    return current && current.status !== 'queued' && current.status !== 'running' ? current : null;
  });
  assert.deepEqual([done.status, done.total, done.processed, done.skipped], ['succeeded', 3, 3, 3]);
  await local.jobs.stop();
  await assert.rejects(
    local.jobs.start({ path: 'flickr8k' }),
    (e: unknown) => (e as ApiError).code === 'SHUTTING_DOWN',
  );
});
