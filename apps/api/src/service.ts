// startService(): everything the API process runs, wired together — database, models, captioning queue,
// evaluation worker, import jobs and the HTTP server — with an orderly shutdown.
import { openDatabase, type Database } from '@captioner/db';
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

export interface RunningService {
  services: Services;
  server: CaptionServer;
  /** Finishes running captioning (up to the grace period), stops background work, closes the HTTP server and the DB. */
  shutdown(): Promise<void>;
}

export interface StartOptions {
  log?: (message: string) => void;
  /** Queue captions for images that lack them (default true; interrupted work resumes this way). */
  backfill?: boolean;
}

/** Opens the database and models and builds the services (no HTTP). */
export async function openServices(config: Config, options: StartOptions = {}): Promise<Services> {
  const log = options.log ?? ((m: string) => console.error(m));
  const db: Database = await openDatabase({
    dataDir: config.dataDir,
    migrationsDir: config.migrationsDir,
    ...(config.databaseUrl ? { databaseUrl: config.databaseUrl } : {}),
  });
  // Live progress: this process's LISTEN connection, and the NOTIFY side the work below publishes through.
  const progress = new ProgressBus(db.pool, db.connectionString, config.progressChannel, log);
  try {
    await progress.start();
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
    const captions = new CaptionService(db, registry, {
      concurrency: config.captionConcurrency,
      defaultBeamSize: config.defaultBeamSize,
      log,
      onChange: changed,
      onCaptioned: (event) => progress.publish({ kind: 'caption', ...event }),
    });
    // Up to one run per loaded model together, so runs of models sharing an encoder share its passes.
    const evaluations = new EvaluationRunner(db, captions, log, changed, Math.max(1, registry.loaded().length), (run) =>
      progress.publish({ kind: 'evaluation', ...run }),
    );
    const imports = new ImportJobs(db, {
      importRoot: config.importRoot,
      limits: { maxBytes: config.maxUploadBytes, maxPixels: config.maxPixels },
      captionInBackground: (ids) => void captions.captionInBackground(ids),
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
    };
  } catch (error) {
    await progress.stop();
    await db.close();
    throw error;
  }
}

/** Stops background work in order: imports and evaluations stop taking new work, running captions finish. */
export async function stopBackgroundWork(
  services: Services,
  log: (message: string) => void = console.error,
): Promise<void> {
  await services.imports.stop();
  const evaluationsStopped = services.evaluations.stop();
  const { dropped, unfinished } = await services.captions.queue.close(services.config.shutdownGraceMs);
  if (dropped > 0 || unfinished > 0) {
    log(
      `Shutdown: ${dropped} queued and ${unfinished} running captioning jobs left for the next start (they are found again then).`,
    );
  }
  await evaluationsStopped;
}

export async function closeServices(services: Services, log: (message: string) => void = console.error): Promise<void> {
  await stopBackgroundWork(services, log);
  await services.registry.dispose();
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
    await closeServices(services, log);
    throw error;
  }
  // Work a previous process left unfinished: evaluation runs it was running, captions it had not produced.
  const requeued = await services.db.evaluationRuns.requeueInterrupted();
  if (requeued.length > 0) log(`Resuming ${requeued.length} interrupted evaluation run(s).`);
  services.evaluations.wake();
  if (options.backfill ?? true) {
    services.captions
      .backfill()
      .then((n) => n > 0 && log(`Queued ${n} missing caption(s) for images stored earlier.`))
      .catch((error: Error) => log(`Could not look for missing captions: ${error.message}`));
  }
  let stopping: Promise<void> | null = null;
  return {
    services,
    server,
    shutdown: () =>
      (stopping ??= (async () => {
        const closingHttp = server.close(); // no new connections; in-flight requests finish
        await stopBackgroundWork(services, log);
        await closingHttp;
        await services.registry.dispose();
        await services.progress.stop();
        await services.db.close();
      })()),
  };
}
