// Dataset import jobs, stored in PostgreSQL (db.importJobs) so every API replica and worker sees them. start()
// (API side) checks the request and stores the job queued, then hands its id to `enqueue` (a durable queue; by
// default it runs in this process). run() (worker side) executes a stored job, writing its progress to the row.
// Resumable: running a job again skips the images already stored.
import { insideImportRoot } from './inside-import-root.js';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { ImportJobConflictError, type Database, type ImportJobRecord, type Split } from '@captioner/db';
import { ApiError, badInput } from '../errors.js';
import { describeError } from '../to-api-error.js';
import { importDataset, type ImportProgress } from './import-dataset.js';
import { detectFormat, readDataset, type DatasetFormat } from './read-dataset.js';
import { ThrottledWriter } from './throttled-writer.js';

/** What `importJob(id)` serves of a stored job. */
export type ImportJob = Pick<
  ImportJobRecord,
  | 'id'
  | 'path'
  | 'format'
  | 'dataset'
  | 'status'
  | 'total'
  | 'processed'
  | 'created'
  | 'skipped'
  | 'failed'
  | 'error'
  | 'createdAt'
  | 'startedAt'
  | 'finishedAt'
>;

export interface ImportJobsOptions {
  importRoot: string;
  limits: { maxBytes: number; maxPixels: number };
  captionInBackground: (imageIds: string[]) => void;
  /** Called after each imported image (cached answers are stale). */
  onChange?: () => void;
  /** Called with the stored job after each write: queued, running, progress, final state (live progress). */
  onJobChange?: (job: ImportJob) => void;
  /**
   * Hands a stored, queued job to whatever runs it (a durable queue's send; the worker calls run(jobId)). Default:
   * run it in this process, failing it if this process stops before it finished (nothing would resume it).
   */
  enqueue?: (jobId: string) => Promise<void> | void;
  /** Progress is written at most this often... (default 250 ms) */
  progressIntervalMs?: number;
  /** ...or after this many images, whichever comes first (default 25). */
  progressEveryImages?: number;
}

export interface StartImportInput {
  path: string;
  format?: DatasetFormat;
  dataset?: string | null;
  splits?: Split[] | null;
  limit?: number | null;
  caption?: boolean | null;
}

const finished = (status: ImportJob['status']) => status === 'succeeded' || status === 'failed';

export class ImportJobs {
  private readonly running = new Map<string, Promise<unknown>>();
  private stopping = false;
  private readonly enqueue: (jobId: string) => Promise<void> | void;

  constructor(
    private readonly db: Database,
    private readonly options: ImportJobsOptions,
  ) {
    this.enqueue = options.enqueue ?? ((jobId) => this.runHere(jobId));
  }

  /** The stored job, whichever process started or runs it; null for an unknown id. */
  get(id: string): Promise<ImportJob | null> {
    return this.db.importJobs.get(id);
  }

  /**
   * Validates the request and reads the dataset index (so format errors surface now), stores the job queued and
   * enqueues it. CONFLICT when an import of the same directory is queued or running (in any process).
   */
  async start(input: StartImportInput): Promise<ImportJob> {
    if (this.stopping)
      throw new ApiError('SHUTTING_DOWN', 'The server is shutting down; start the import again after it restarts.');
    const root = await insideImportRoot(this.options.importRoot, input.path);
    if (input.limit !== undefined && input.limit !== null && (!Number.isInteger(input.limit) || input.limit < 0)) {
      throw badInput('limit must be a non-negative integer.', 'limit');
    }
    const format =
      input.format ??
      (await detectFormat(root).catch((e: unknown) => {
        throw describeAsInput(e);
      }));
    await readDataset(root, format).catch((e: unknown) => {
      throw describeAsInput(e);
    });
    let job: ImportJob;
    try {
      job = await this.db.importJobs.create({
        path: root,
        format,
        dataset: input.dataset ?? path.basename(root),
        splits: input.splits ?? [],
        importLimit: input.limit ?? null,
        caption: input.caption ?? false,
      });
    } catch (error) {
      if (!(error instanceof ImportJobConflictError)) throw error;
      throw new ApiError(
        'CONFLICT',
        `An import of ${root} is already queued or running` +
          (error.activeJobId ? `; poll importJob(id: "${error.activeJobId}") for its progress.` : '; try again soon.'),
        error.activeJobId ? { jobId: error.activeJobId } : {},
      );
    }
    this.options.onJobChange?.(job);
    try {
      await this.enqueue(job.id);
    } catch (error) {
      // Not queued, so nothing would ever run it: fail it rather than leave the directory blocked.
      const failed = await this.db.importJobs.finish(
        job.id,
        'failed',
        `Could not queue the import: ${(error as Error).message}`,
      );
      this.options.onJobChange?.(failed);
      throw error;
    }
    return job;
  }

  /**
   * Executes a stored job (worker side) and resolves with its state at the end: succeeded or failed, or queued
   * again (progress kept) when stop() interrupted it, for the queue to run it again. Failures of the import itself
   * fail the job; only database errors reject (a retry may succeed). A finished job is returned as it is.
   */
  run(jobId: string): Promise<ImportJob> {
    return this.track(this.runStored(jobId)); // tracked at once, so a stop() from now on waits for it
  }

  /** True once stop() was called: imports stop between images. */
  get stopped(): boolean {
    return this.stopping;
  }

  /**
   * Runs an import that is not a job (the demo gallery) under the same shutdown: it should check `stopped`
   * between images, and stop() waits for it.
   */
  track<T>(work: Promise<T>): Promise<T> {
    const key = `tracked ${randomUUID()}`;
    this.running.set(
      key,
      work.then(
        () => undefined,
        () => undefined,
      ),
    );
    return work.finally(() => this.running.delete(key));
  }

  /** Stops between images and waits; a stopped job is queued again, and resumes where it stopped when run again. */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.running.values());
  }

  /** The default `enqueue`: runs the job here; without a queue to run it later, a job cut short by stop() fails. */
  private runHere(jobId: string): void {
    const failWith = async (message: string) =>
      this.options.onJobChange?.(await this.db.importJobs.finish(jobId, 'failed', message));
    void this.track(
      this.run(jobId).then(
        (job) =>
          job.status === 'queued'
            ? failWith(
                `The server stopped after ${job.processed} of ${job.total} images; start the import again to import ` +
                  'the rest (stored images are skipped).',
              )
            : undefined,
        (error: Error) =>
          failWith(`The import stopped on a database error (${error.message}); start it again to resume.`),
      ),
    ).catch(() => {
      // The database is gone (shutdown or outage); the row keeps how far the job got.
    });
  }

  private async runStored(jobId: string): Promise<ImportJob> {
    const stored = await this.db.importJobs.get(jobId);
    if (!stored) throw importJobNotFound(jobId);
    if (finished(stored.status) || this.stopping) return stored;
    return this.execute(stored);
  }

  private async execute(stored: ImportJobRecord): Promise<ImportJob> {
    const { db, options } = this;
    const publish = (job: ImportJob) => {
      options.onJobChange?.(job);
      return job;
    };
    publish(await db.importJobs.markRunning(stored.id));
    const writer = new ThrottledWriter<ImportProgress>(
      async (p) => {
        const { total, processed, created, skipped, failed, failures } = p;
        publish(await db.importJobs.progress(stored.id, { total, processed, created, skipped, failed, failures }));
      },
      { intervalMs: options.progressIntervalMs ?? 250, everyUpdates: options.progressEveryImages ?? 25 },
    );
    let outcome: { status: 'succeeded' | 'failed' | 'stopped'; error: string | null };
    try {
      const result = await importDataset(db, {
        root: stored.path,
        format: stored.format,
        dataset: stored.dataset,
        ...(stored.splits.length > 0 ? { splits: stored.splits } : {}),
        ...(stored.importLimit !== null ? { limit: stored.importLimit } : {}),
        limits: options.limits,
        onImage: stored.caption ? (id) => options.captionInBackground([id]) : undefined,
        onProgress: (p) => {
          options.onChange?.();
          writer.update(p);
        },
        shouldStop: () => this.stopping,
      });
      outcome =
        result.processed < result.total ? { status: 'stopped', error: null } : { status: 'succeeded', error: null };
    } catch (error) {
      outcome = { status: 'failed', error: describeError(error).message };
    }
    await writer.flush();
    if (outcome.status === 'stopped') return publish(await db.importJobs.requeue(stored.id));
    return publish(await db.importJobs.finish(stored.id, outcome.status, outcome.error));
  }
}

export const importJobNotFound = (id: string): ApiError =>
  new ApiError('NOT_FOUND', `No import job with id "${id}"; importDataset returns the ids.`, { id });

function describeAsInput(error: unknown): Error {
  const { code, message } = describeError(error);
  return code === 'INTERNAL_SERVER_ERROR'
    ? new ApiError('BAD_USER_INPUT', `Cannot read the dataset: ${(error as Error).message}`)
    : new ApiError(code, message);
}
