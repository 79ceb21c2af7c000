// Dynamic batching against one job at a time: the same caption jobs (every image of a dataset, every loaded model,
// default settings) run by a worker in this process with CAPTIONER_JOB_BATCH=1 and with the configured batch,
// alternating, the captions deleted before each run so every run does all the work. Prints jobs/s, database round
// trips per job (every query any pg client of this process sent: ours, Prisma's, pg-boss's) and transactions per job
// (pg_stat_database: every statement outside a transaction is one).
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import type { Services } from '../src/graphql/context.js';
import { startWorker } from '../src/jobs/worker.js';

interface Measured {
  batch: number;
  jobs: number;
  seconds: number;
  roundTrips: number;
  transactions: number;
}

// Every pool and client in this process (ours, Prisma's adapter, pg-boss's) is node-postgres: count its queries.
let roundTrips = 0;
const query = pg.Client.prototype.query as (...args: unknown[]) => unknown;
(pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown }).query = function (
  this: pg.Client,
  ...args: unknown[]
) {
  roundTrips++;
  return query.apply(this, args);
};

async function transactions(services: Services): Promise<number> {
  const { rows } = await services.db.pool.query<{ n: string }>(
    'SELECT xact_commit + xact_rollback AS n FROM pg_stat_database WHERE datname = current_database()',
  );
  return Number(rows[0]!.n);
}

async function runOnce(
  services: Services,
  dataset: string,
  batch: number,
  log: (m: string) => void,
): Promise<Measured> {
  const models = services.registry.loaded();
  const ids = await services.db.images.listIdsForEvaluation({ split: 'test', dataset });
  // Every run starts from no stored captions of these images.
  await services.db.pool.query('DELETE FROM captions WHERE image_id = ANY($1::uuid[])', [ids]);
  await services.captions.captionInBackground(ids);
  // pg_stat_database is updated when a backend's statistics are flushed (at most once a second): wait for that.
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  const before = await transactions(services);
  const tripsBefore = roundTrips;
  const started = performance.now();
  const worker = startWorker(
    { ...services, config: { ...services.config, jobs: { ...services.config.jobs, batchSize: batch } } },
    log,
    { backfill: false },
  );
  await services.jobs.drained('caption', undefined, 200);
  const seconds = (performance.now() - started) / 1000;
  await worker.stop();
  const trips = roundTrips - tripsBefore;
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  const after = await transactions(services);
  const { rows } = await services.db.pool.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM captions WHERE image_id = ANY($1::uuid[])',
    [ids],
  );
  if (rows[0]!.n !== ids.length * models.length)
    throw new Error(`batch ${batch}: ${rows[0]!.n} captions stored, expected ${ids.length * models.length}`);
  return { batch, jobs: ids.length * models.length, seconds, roundTrips: trips, transactions: after - before };
}

export async function compareBatching(
  services: Services,
  options: { dataset: string; rounds: number; log: (m: string) => void },
): Promise<void> {
  const batch = services.config.jobs.batchSize;
  if (batch === 1) {
    console.log('CAPTIONER_JOB_BATCH=1: nothing to compare batching with.');
    return;
  }
  const results: Measured[] = [];
  for (let round = 0; round < options.rounds; round++) {
    for (const size of [1, batch]) results.push(await runOnce(services, options.dataset, size, options.log));
  }
  console.log(
    `\nDynamic batching: the same caption jobs by one worker (concurrency ${services.config.captionConcurrency}, ${os.cpus().length} cores), one job at a time vs ${batch} at a time`,
  );
  console.log('| jobs per fetch | jobs | seconds | jobs/s | DB round trips per job | DB transactions per job |');
  console.log('| ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const r of results) {
    console.log(
      `| ${r.batch} | ${r.jobs} | ${r.seconds.toFixed(1)} | ${(r.jobs / r.seconds).toFixed(2)} | ${(r.roundTrips / r.jobs).toFixed(1)} | ${(r.transactions / r.jobs).toFixed(1)} |`,
    );
  }
  const rate = (size: number) => {
    const runs = results.filter((r) => r.batch === size);
    return runs.reduce((a, r) => a + r.jobs, 0) / runs.reduce((a, r) => a + r.seconds, 0);
  };
  console.log(`Batching speed-up: ${(rate(batch) / rate(1)).toFixed(2)}x jobs/s.`);
}
