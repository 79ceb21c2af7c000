// The worker role: takes caption and evaluation jobs from the durable queue and runs them with this process's
// models. It runs in its own process (worker-main.ts, `npm run worker`) or inside an API process
// (CAPTIONER_WORKER=inline, the default, so one process still does everything). Any number of workers, on CPU or
// GPU (CAPTIONER_ORT_PROVIDER), can serve one queue.
import os from 'node:os';
import type { JobWithMetadata } from 'pg-boss';
import type { CaptionJob } from '../captioning/caption-queue.js';
import { ApiError } from '../errors.js';
import type { Services } from '../graphql/context.js';
import { CAPTION_QUEUE, EVALUATE_QUEUE, IMPORT_QUEUE, type EvaluateJobData, type ImportJobData } from './job-queue.js';
import { QueueWorker, type JobOutcome } from './queue-worker.js';

/** Idle loops look for jobs this often when no wake-up came (a missed NOTIFY, a retry coming due). */
const POLL_MS = 1_000;
/** An evaluation job runs its runs for this long, then queues the next slice (well under the job expiry). */
const sliceMs = (expireSeconds: number) => Math.max(2_000, (expireSeconds * 1000) / 4);

export interface RunningWorker {
  captions: QueueWorker<CaptionJob>;
  /** Stops taking jobs, lets running ones finish within the grace period, hands back the rest. */
  stop(): Promise<void>;
}

export function startWorker(
  services: Services,
  log: (message: string) => void,
  options: { backfill?: boolean } = {},
): RunningWorker {
  const { config, jobs, captions, evaluations, registry, progress } = services;
  const workerName = `${os.hostname()}:${process.pid}`;
  // A worker stopped earlier in this process closed these.
  captions.queue.reopen();
  evaluations.reopen();
  const captionWorker = new QueueWorker<CaptionJob>(jobs.boss, {
    queue: CAPTION_QUEUE,
    batchSize: config.jobs.batchSize,
    concurrency: config.captionConcurrency,
    batchWaitMs: config.jobs.batchWaitMs,
    pollMs: POLL_MS,
    workerName,
    log,
    handle: async (batch: JobWithMetadata<CaptionJob>[]): Promise<JobOutcome[]> => {
      // Interactive jobs go ahead of evaluation chunks waiting in this process's queue.
      const interactive = batch.some((job) => job.priority >= 10);
      const results = await captions.execute(
        batch.map((job) => job.data),
        interactive ? 'interactive' : 'background',
      );
      // An image deleted since it was queued needs no caption: done, not retried.
      return results.map((r) =>
        r instanceof Error && !(r instanceof ApiError && r.extensions.code === 'NOT_FOUND') ? r : null,
      );
    },
  });
  const runsTogether = Math.max(1, registry.loaded().length);
  const evaluateWorker = new QueueWorker<EvaluateJobData>(jobs.boss, {
    queue: EVALUATE_QUEUE,
    // One run per loaded model at once, so runs of models sharing an encoder share its passes.
    batchSize: runsTogether,
    concurrency: 1,
    batchWaitMs: 200,
    pollMs: POLL_MS,
    workerName,
    log,
    handle: async (batch) => {
      // Runs queued while this slice runs join it (between chunks); their jobs are completed here too.
      const joined: JobWithMetadata<EvaluateJobData>[] = [];
      const outcomes = await evaluations.runSlice(
        batch.map((job) => job.data.runId),
        {
          sliceMs: sliceMs(config.jobs.expireSeconds),
          runsTogether,
          join: async (wanted) => {
            const more = await jobs.boss.fetch<EvaluateJobData>(EVALUATE_QUEUE, {
              batchSize: wanted,
              includeMetadata: true,
            });
            joined.push(...more);
            return more.map((job) => job.data.runId);
          },
        },
      );
      for (const job of [...batch, ...joined]) {
        if (outcomes.get(job.data.runId) === 'continue') await jobs.sendEvaluation(job.data.runId);
      }
      if (joined.length > 0) {
        await jobs.boss.complete(
          EVALUATE_QUEUE,
          joined.map((job) => job.id),
          { worker: workerName } as never,
        );
      }
      return batch.map(() => null);
    },
  });
  const importWorker = new QueueWorker<ImportJobData>(jobs.boss, {
    queue: IMPORT_QUEUE,
    batchSize: 1,
    concurrency: 1,
    batchWaitMs: 0,
    pollMs: POLL_MS,
    workerName,
    log,
    handle: async ([job]) => {
      // A failed import is stored as failed (not retried: it says why); a database error throws and is retried.
      const result = await services.imports.run(job!.data.importJobId);
      // Stopped by a shutdown between images: queued again, the next run skips what is stored.
      if (result.status === 'queued') await jobs.sendImport(result.id);
      return [null];
    },
  });
  const workers = new Map<string, QueueWorker<object>>([
    [CAPTION_QUEUE, captionWorker as QueueWorker<object>],
    [EVALUATE_QUEUE, evaluateWorker as QueueWorker<object>],
    [IMPORT_QUEUE, importWorker as QueueWorker<object>],
  ]);
  const unsubscribe = progress.subscribe((event) => {
    if (event.kind === 'jobs') workers.get(event.queue)?.wake();
  });
  for (const worker of workers.values()) worker.start();
  log(
    `Worker: ${registry
      .loaded()
      .map((m) => `${m.id} (${m.executionProvider})`)
      .join(', ')}; caption batches of up to ${config.jobs.batchSize}, ${config.captionConcurrency} at once.`,
  );

  // Work from before: runs stored before their job was (or whose job was lost), images missing a caption.
  void evaluations
    .requeueUnfinished()
    .then((n) => n > 0 && log(`Queued ${n} unfinished evaluation run(s).`))
    .catch((error: Error) => log(`Could not look for unfinished evaluation runs: ${error.message}`));
  void services.db.importJobs
    .listUnfinished()
    .then(async (unfinished) => {
      for (const job of unfinished) if (job.status === 'queued') await jobs.sendImport(job.id);
    })
    .catch((error: Error) => log(`Could not look for queued imports: ${error.message}`));
  if (options.backfill ?? true) {
    captions
      .backfill()
      .then((n) => n > 0 && log(`${n} caption(s) missing for images stored earlier are queued.`))
      .catch((error: Error) => log(`Could not look for missing captions: ${error.message}`));
  }

  let stopping: Promise<void> | null = null;
  return {
    captions: captionWorker,
    stop: () =>
      (stopping ??= (async () => {
        unsubscribe();
        evaluations.stop();
        const handedBack = await Promise.all([...workers.values()].map((w) => w.stop(config.shutdownGraceMs)));
        await captions.queue.close(0);
        const left = handedBack.reduce((a, b) => a + b, 0);
        if (left > 0) log(`Worker stopped: ${left} unfinished job(s) handed back to the queue.`);
      })()),
  };
}
