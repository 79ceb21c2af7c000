// Scale-out proof, with real processes on ONE PostgreSQL: two API replicas that only queue work
// (CAPTIONER_WORKER=off) and two workers (`dist/worker-main.js`). 300 uploads spread over both APIs and an
// evaluation run go through the durable job queue. Worker A starts alone; once it is in the middle of the work
// (evaluation progress stored, captions being made), worker B starts and A is killed with SIGKILL. A's running jobs
// expire and B retries them: every image ends with exactly one caption per model, the evaluation finishes, no job is
// dead, and graphql-ws subscribers on both APIs saw progress of the work A did and of the work B did.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { startEmbeddedServer, type EmbeddedServer } from '@captioner/db';
import { createClient, type Client } from 'graphql-ws';
import pg from 'pg';
import WebSocket from 'ws';
import { freePort, startServer, waitFor, type Server } from '../browser/processes.js';
import { generousRateLimits } from '../generous-rate-limits.js';
import { fixtureModelsDir } from '../model-dirs.js';
import { makePng } from './png.js';
import { testAdminToken, waitUntil } from './harness.js';

const repoRoot = path.resolve(import.meta.dirname, '../..');
const UPLOADS = 300;
const EVALUATION_IMAGES = 160;

let tempDir: string;
let database: EmbeddedServer;
let pool: pg.Pool;
const apis: { server: Server; url: string }[] = [];
const workers: Server[] = [];
const clients: Client[] = [];

function env(extra: Record<string, string>): NodeJS.ProcessEnv {
  const { DATABASE_URL: _ignored, ...inherited } = process.env;
  return {
    ...inherited,
    ...generousRateLimits,
    DATABASE_URL: database.connectionString,
    CAPTIONER_DATA_DIR: path.join(tempDir, 'data'),
    CAPTIONER_MODELS_DIR: fixtureModelsDir,
    CAPTIONER_IMPORT_ROOT: tempDir,
    CAPTIONER_ADMIN_TOKEN: testAdminToken,
    CAPTIONER_SESSION_SECRET: sessionSecret,
    // Lost jobs come back quickly: expired after 10 s, looked for every second.
    CAPTIONER_JOB_EXPIRE_S: '10',
    CAPTIONER_JOB_MAINTENANCE_S: '1',
    CAPTIONER_ORT_THREADS: '1',
    HOST: '127.0.0.1',
    ...extra,
  };
}
const sessionSecret = randomBytes(32).toString('base64');

async function startApi(): Promise<void> {
  const port = await freePort();
  const server = startServer(`API ${apis.length + 1}`, process.execPath, ['dist/main.js'], {
    cwd: path.join(repoRoot, 'apps/api'),
    env: env({ PORT: String(port), CAPTIONER_WORKER: 'off' }),
  });
  const url = `http://127.0.0.1:${port}`;
  apis.push({ server, url });
  await waitFor(server, `${url}/health`, (r) => r.status === 200, 120_000);
}

async function startWorker(): Promise<Server> {
  const worker = startServer(`worker ${workers.length + 1}`, process.execPath, ['dist/worker-main.js'], {
    cwd: path.join(repoRoot, 'apps/api'),
    env: env({}),
  });
  workers.push(worker);
  await waitUntil(`${worker.name} to start`, async () => {
    if (worker.child.exitCode !== null) throw new Error(`${worker.name} exited:\n${worker.log()}`);
    return /Worker: /.test(worker.log());
  });
  return worker;
}

async function gql<T>(url: string, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${testAdminToken}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: T; errors?: unknown[] };
  if (body.errors?.length || !body.data) throw new Error(`GraphQL failed: ${JSON.stringify(body.errors)}`);
  return body.data;
}

/** A subscription on one API, recording when each event arrived. */
function subscribe<T>(url: string, query: string, variables: Record<string, unknown>) {
  const client = createClient({ url: `${url.replace(/^http/, 'ws')}/graphql`, webSocketImpl: WebSocket, lazy: false });
  clients.push(client);
  const events: { data: T; at: number }[] = [];
  const errors: unknown[] = [];
  client.subscribe<T>(
    { query, variables },
    {
      next: (result) =>
        result.errors ? errors.push(result.errors) : events.push({ data: result.data as T, at: Date.now() }),
      error: (error) => errors.push(error),
      complete: () => undefined,
    },
  );
  return { events, errors };
}

/** A distinct real PNG per index (its size differs), so uploads are never deduplicated. */
const image = (i: number) => makePng(40 + (i % 50), 30 + Math.floor(i / 50));

before(async () => {
  tempDir = await mkdtemp(path.join(os.tmpdir(), 'captioner-scale-out-'));
  await chmod(tempDir, 0o755); // the embedded PostgreSQL runs as `postgres` when we are root
  database = await startEmbeddedServer({ dataDir: path.join(tempDir, 'data') });
  pool = new pg.Pool({ connectionString: database.connectionString, max: 2 });
  // An evaluation dataset in Flickr8k's layout: distinct images (other sizes than the uploads), test split. The
  // files are PNGs named .jpg as the layout wants; images are recognised by their content.
  const dir = path.join(tempDir, 'evaluation-set');
  await mkdir(path.join(dir, 'Flicker8k_Dataset'), { recursive: true });
  const names = Array.from({ length: EVALUATION_IMAGES }, (_, i) => `eval${i}.jpg`);
  await Promise.all(
    names.map((name, i) => writeFile(path.join(dir, 'Flicker8k_Dataset', name), makePng(200 + i, 150))),
  );
  await writeFile(
    path.join(dir, 'Flickr8k.token.txt'),
    names
      .map((n, i) => `${n}#0\ta red circle and a blue square number ${i}\n${n}#1\ttwo shapes on a white ground\n`)
      .join(''),
  );
  await writeFile(path.join(dir, 'Flickr_8k.testImages.txt'), names.join('\n') + '\n');
  await writeFile(path.join(dir, 'Flickr_8k.trainImages.txt'), '');
  await writeFile(path.join(dir, 'Flickr_8k.devImages.txt'), '');
  await startApi();
  await startApi();
});

after(async () => {
  for (const client of clients) await client.dispose();
  for (const server of [...workers, ...apis.map((a) => a.server)]) await server.stop();
  await pool?.end();
  await database?.stop();
  await rm(tempDir, { recursive: true, force: true });
});

test('two APIs and two workers on one PostgreSQL: a worker killed mid-batch loses nothing and duplicates nothing', async () => {
  const [a, b] = apis as [(typeof apis)[0], (typeof apis)[0]];
  const { models } = await gql<{ models: { id: string; loaded: boolean }[] }>(a.url, '{ models { id loaded } }');
  assert.equal(models.filter((m) => m.loaded).length, 2, 'both fixture models are loaded');

  // The evaluation set, imported through API B as a job (no captions: the evaluation makes them).
  const { importDataset } = await gql<{ importDataset: { job: { id: string } } }>(
    b.url,
    'mutation($input: ImportDatasetInput!) { importDataset(input: $input) { job { id } } }',
    { input: { path: 'evaluation-set', dataset: 'scale-out' } },
  );
  const worker1 = await startWorker();
  await waitUntil('the import', async () => {
    const { importJob } = await gql<{ importJob: { status: string; error: string | null } }>(
      a.url,
      'query($id: ID!) { importJob(id: $id) { status error } }',
      { id: importDataset.job.id },
    );
    if (importJob.status === 'FAILED') throw new Error(importJob.error ?? 'import failed');
    return importJob.status === 'SUCCEEDED';
  });

  // 300 uploads, 10 per request, alternating between the APIs.
  const imageIds: string[] = [];
  for (let start = 0; start < UPLOADS; start += 10) {
    const api = (start / 10) % 2 === 0 ? a : b;
    const form = new FormData();
    for (let i = start; i < start + 10; i++)
      form.append('file', new Blob([new Uint8Array(image(i))], { type: 'image/png' }), `upload-${i}.png`);
    const response = await fetch(`${api.url}/upload`, { method: 'POST', body: form });
    const body = (await response.json()) as { results: { imageId: string | null; created: boolean }[] };
    assert.equal(response.status, 200, JSON.stringify(body));
    for (const r of body.results) {
      assert.ok(r.imageId && r.created, JSON.stringify(r));
      imageIds.push(r.imageId);
    }
  }
  // Every upload watched on both APIs (a subscription takes at most 100 ids).
  const groups = [0, 100, 200].map((start) => imageIds.slice(start, start + 100));
  const captionedQuery =
    'subscription($ids: [ID!]!) { imageCaptioned(imageIds: $ids) { image { id } model { id } caption { id } error } }';
  type Captioned = { imageCaptioned: { image: { id: string }; caption: { id: string } | null; error: string | null } };
  const watch = (url: string) => {
    const subscriptions = groups.map((ids) => subscribe<Captioned>(url, captionedQuery, { ids }));
    return {
      get events() {
        return subscriptions.flatMap((s) => s.events);
      },
      get errors() {
        return subscriptions.flatMap((s) => s.errors);
      },
    };
  };
  const captionsOnA = watch(a.url);
  const captionsOnB = watch(b.url);

  // Beam 2 is not the default (3): the run must caption every image itself, chunk by chunk.
  const { startEvaluationRun } = await gql<{ startEvaluationRun: { run: { id: string } } }>(
    a.url,
    'mutation($input: StartEvaluationRunInput!) { startEvaluationRun(input: $input) { run { id } } }',
    { input: { modelId: models[0]!.id, split: 'TEST', dataset: 'scale-out', beamSize: 2 } },
  );
  const runId = startEvaluationRun.run.id;
  const progressQuery = 'subscription($id: ID!) { evaluationRunProgress(id: $id) { status processed total } }';
  type Progress = { evaluationRunProgress: { status: string; processed: number; total: number } };
  const runOnA = subscribe<Progress>(a.url, progressQuery, { id: runId });
  const runOnB = subscribe<Progress>(b.url, progressQuery, { id: runId });

  // Worker 1 (the only one) is in the middle of both kinds of work: evaluation progress stored but not finished, its
  // job active, caption jobs running. It is killed; worker 2 starts after, so what it does after was lost by 1.
  const captionCount = async () => Number((await pool.query('SELECT count(*) AS n FROM captions')).rows[0].n);
  let state = '';
  await waitUntil(
    'worker 1 to be mid-way',
    async () => {
      const { rows } = await pool.query('SELECT done, total FROM evaluation_runs WHERE id = $1', [runId]);
      const active = await pool.query(
        `SELECT count(*) FILTER (WHERE name = 'caption')::int AS captions,
                count(*) FILTER (WHERE name = 'evaluate')::int AS evaluations
           FROM pgboss.job WHERE state = 'active'`,
      );
      state = `run ${JSON.stringify(rows[0])}, active ${JSON.stringify(active.rows[0])}, captions ${await captionCount()}`;
      return (
        rows[0].done > 0 &&
        rows[0].done < rows[0].total &&
        active.rows[0].captions > 0 &&
        active.rows[0].evaluations > 0
      );
    },
    240_000,
  ).catch((error: Error) => {
    throw new Error(`${error.message}; last seen: ${state}\nworker 1:\n${worker1.log()}`);
  });
  worker1.child.kill('SIGKILL');
  const killedAt = Date.now();
  const worker2 = await startWorker();
  const captionsAtKill = await captionCount();
  assert.ok(captionsAtKill < UPLOADS * 2 + EVALUATION_IMAGES, 'the kill came before the work was done');

  // Worker B finishes everything, A's lost jobs included (after they expire).
  await waitUntil(
    'every upload captioned by both models and the evaluation finished',
    async () => {
      const { rows } = await pool.query(
        `SELECT count(*) AS n FROM captions c JOIN images i ON i.id = c.image_id WHERE i.source = 'upload'`,
      );
      const run = await pool.query('SELECT status, error FROM evaluation_runs WHERE id = $1', [runId]);
      if (run.rows[0].status === 'failed') throw new Error(`evaluation failed: ${run.rows[0].error}`);
      return Number(rows[0].n) >= UPLOADS * 2 && run.rows[0].status === 'succeeded';
    },
    300_000,
  );

  // Exactly one caption per image and model (default settings), none missing.
  const perImage = await pool.query(
    `SELECT c.image_id, c.model_id, count(*)::int AS n FROM captions c JOIN images i ON i.id = c.image_id
      WHERE i.source = 'upload' GROUP BY c.image_id, c.model_id`,
  );
  assert.equal(perImage.rows.length, UPLOADS * 2, 'every upload has a caption from each of the two models');
  assert.ok(
    perImage.rows.every((r) => r.n === 1),
    'no image has two captions from one model',
  );
  const run = (await pool.query('SELECT done, total FROM evaluation_runs WHERE id = $1', [runId])).rows[0];
  assert.equal(run.done, EVALUATION_IMAGES);
  assert.equal(run.total, EVALUATION_IMAGES);

  // Nothing dead, and in the end nothing left (a worker's start-up also queued default captions of the evaluation
  // set, imported without them); the killed worker's jobs were done by the other one.
  type Queues = {
    status: { jobQueues: { queue: string; queued: number; retrying: number; active: number; failed: number }[] };
  };
  const queues = await waitUntil(
    'every job queue to be empty',
    async () => {
      const status = await gql<Queues>(b.url, '{ status { jobQueues { queue queued retrying active failed } } }');
      return status.status.jobQueues.every((q) => q.queued + q.retrying + q.active === 0) && status.status.jobQueues;
    },
    300_000,
  );
  for (const q of queues) assert.equal(q.failed, 0, `no dead ${q.queue} job`);
  const byWorker = await pool.query(
    `SELECT output->>'worker' AS worker, count(*)::int AS n FROM pgboss.job
      WHERE name = 'caption' AND state = 'completed' GROUP BY 1`,
  );
  const workersThatCompleted = byWorker.rows.map((r) => String(r.worker).split(':')[1]);
  assert.ok(workersThatCompleted.includes(String(worker1.child.pid)), 'worker 1 completed jobs before it was killed');
  assert.ok(workersThatCompleted.includes(String(worker2.child.pid)), 'worker 2 completed jobs');
  const retried = await pool.query(
    `SELECT count(*)::int AS n FROM pgboss.job WHERE name IN ('caption', 'evaluate') AND retry_count > 0`,
  );
  assert.ok(retried.rows[0].n > 0, 'jobs that worker 1 held were retried');

  // Subscribers on both APIs saw the work of both workers: events before the kill (worker 1) and after (worker 2).
  await waitUntil('the final evaluation events', async () =>
    [runOnA, runOnB].every((s) => s.events.some((e) => e.data.evaluationRunProgress.status === 'SUCCEEDED')),
  );
  for (const [name, s] of [
    ['evaluation on API 1', runOnA],
    ['evaluation on API 2', runOnB],
    ['captions on API 1', captionsOnA],
    ['captions on API 2', captionsOnB],
  ] as const) {
    assert.deepEqual(s.errors, [], `${name}: no subscription errors`);
    assert.ok(
      s.events.some((e) => e.at < killedAt),
      `${name}: events from worker 1's work`,
    );
    assert.ok(
      s.events.some((e) => e.at > killedAt + 1_000),
      `${name}: events from worker 2's work`,
    );
  }
  assert.ok(
    captionsOnA.events.every((e) => e.data.imageCaptioned.error === null),
    'no caption failed on the way',
  );
});
