// startService(): everything the API process runs, wired together — database, models, the durable job queue,
// evaluation runs, import jobs, the HTTP server and (CAPTIONER_WORKER=inline) a worker — with an orderly shutdown.
// openServices() is shared with the worker process (worker-main.ts) and the CLI.
import { openDatabase, type Database } from '@captioner/db';
import { imageStorageOptions } from './storage/image-storage.js';
import type { Config } from './config.js';
import { CaptionService } from './captioning/caption-service.js';
import { loadModelRegistry } from './captioning/model-registry.js';
import { ImportJobs } from './datasets/import-jobs.js';
import { EvaluationRunner } from './evaluation/evaluation-runner.js';
import type { Services } from './graphql/context.js';
import { ResponseCache } from './graphql/response-cache.js';
import { DocumentFrequencyCache } from './metrics/document-frequency-cache.js';
import { loadSessionSecret } from './auth/session-secret.js';
import { voterSessions } from './auth/voter-sessions.js';
import { createRateLimits } from './rate-limits/rate-limits.js';
import { createServer, type CaptionServer } from './server.js';
import { importJobEvent } from './live/progress-event.js';
import { ProgressBus } from './live/progress-bus.js';
import { JobQueue } from './jobs/job-queue.js';
import { startWorker, type RunningWorker } from './jobs/worker.js';

export interface RunningService {
  services: Services;
  server: CaptionServer;
  /** The worker this process runs (CAPTIONER_WORKER=inline), else null. */
  worker: RunningWorker | null;
  /** Finishes running captioning (up to the grace period), stops background work, closes the HTTP server and the DB. */
  shutdown(): Promise<void>;
}

export interface StartOptions {
  log?: (message: string) => void;
  /** A worker here queues captions for images that lack them (default true). */
  backfill?: boolean;
}

/** Opens the database and models and builds the services (no HTTP). */
export async function openServices(config: Config, options: StartOptions = {}): Promise<Services> {
  const log = options.log ?? ((m: string) => console.error(m));
  const db: Database = await openDatabase({
    dataDir: config.dataDir,
    migrationsDir: config.migrationsDir,
    ...(config.databaseUrl ? { databaseUrl: config.databaseUrl } : {}),
    imageStorage: imageStorageOptions(config.imageStorage),
  });
  // Live progress: this process's LISTEN connection, and the NOTIFY side the work below publishes through.
  const progress = new ProgressBus(db.pool, db.connectionString, config.progressChannel, log);
  let jobs: JobQueue | null = null;
  try {
    await progress.start();
    jobs = await JobQueue.open(db.pool, {
      connectionString: db.connectionString,
      retryLimit: config.jobs.retryLimit,
      retryDelaySeconds: config.jobs.retryDelaySeconds,
      expireSeconds: config.jobs.expireSeconds,
      importExpireSeconds: Math.max(config.jobs.expireSeconds, 30 * 60),
      maintenanceIntervalSeconds: config.jobs.maintenanceIntervalSeconds,
      log,
      onQueued: (queue) => progress.publish({ kind: 'jobs', queue }),
    });
    const registry = await loadModelRegistry(db, {
      modelsDir: config.modelsDir,
      executionProvider: config.ortProvider,
      cudaDeviceId: config.cudaDeviceId,
      threads: config.ortThreads,
      maxPixels: config.maxPixels,
      maxBytes: config.maxUploadBytes,
      log,
    });
    const cache = new ResponseCache({ maxEntries: config.responseCacheEntries, ttlMs: config.responseCacheTtlMs });
    const changed = () => cache.invalidate();
    // Captions, runs and jobs changed by any process change what queries answer.
    progress.subscribe(() => changed());
    const captions = new CaptionService(db, registry, {
      concurrency: config.captionConcurrency,
      maxBatch: config.jobs.batchSize,
      defaultBeamSize: config.defaultBeamSize,
      jobs,
      events: progress,
      waitMs: config.captionWaitMs,
      log,
      onChange: changed,
      onCaptioned: (event) => progress.publish({ kind: 'caption', ...event }),
    });
    const evaluations = new EvaluationRunner(db, captions, jobs, log, changed, (run) =>
      progress.publish({ kind: 'evaluation', ...run }),
    );
    const imports = new ImportJobs(db, {
      importRoot: config.importRoot,
      limits: { maxBytes: config.maxUploadBytes, maxPixels: config.maxPixels },
      captionInBackground: (ids) =>
        void captions
          .captionInBackground(ids)
          .catch((error: Error) => log(`Could not queue captions: ${error.message}`)),
      // A worker runs it (jobs/worker.ts).
      enqueue: (jobId) => jobs!.sendImport(jobId),
      onChange: changed,
      onJobChange: (job) => progress.publish(importJobEvent(job)),
    });
    const documentFrequencies = new DocumentFrequencyCache(db);
    const sessions = voterSessions(await loadSessionSecret(config.sessionSecret, config.dataDir, log));
    return {
      config,
      db,
      registry,
      captions,
      evaluations,
      imports,
      cache,
      documentFrequencies,
      voterSessions: sessions,
      rateLimits: createRateLimits(db.pool, config.rateLimits),
      progress,
      jobs,
    };
  } catch (error) {
    await jobs?.stop().catch(() => undefined);
    await progress.stop();
    await db.close();
    throw error;
  }
}

/** Stops what this process runs in the background: imports stop between images; queued jobs stay queued. */
export async function stopBackgroundWork(services: Services, worker: RunningWorker | null): Promise<void> {
  await services.imports.stop();
  await worker?.stop();
}

export async function closeServices(services: Services, worker: RunningWorker | null = null): Promise<void> {
  await stopBackgroundWork(services, worker);
  await services.registry.dispose();
  await services.jobs.stop();
  await services.progress.stop();
  await services.db.close();
}

export async function startService(config: Config, options: StartOptions = {}): Promise<RunningService> {
  const log = options.log ?? ((m: string) => console.error(m));
  const services = await openServices(config, options);
  let server: CaptionServer;
  try {
    server = await createServer(services, log);
  } catch (error) {
    await closeServices(services);
    throw error;
  }
  const worker = config.worker === 'inline' ? startWorker(services, log, { backfill: options.backfill ?? true }) : null;
  let stopping: Promise<void> | null = null;
  return {
    services,
    server,
    worker,
    shutdown: () =>
      (stopping ??= (async () => {
        const closingHttp = server.close(); // no new connections; in-flight requests finish
        await stopBackgroundWork(services, worker);
        await closingHttp;
        await services.registry.dispose();
        await services.jobs.stop();
        await services.progress.stop();
        await services.db.close();
      })()),
  };
}
