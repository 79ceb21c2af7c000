// Dataset imports started through GraphQL: run in the background, tracked in memory for progress polling.
// Jobs are not persisted; an import cut short by a restart is resumed by starting it again (it skips what is stored).
import { insideImportRoot } from './inside-import-root.js';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { Database, Split } from '@captioner/db';
import { ApiError, badInput } from '../errors.js';
import { describeError } from '../to-api-error.js';
import { importDataset, type ImportProgress } from './import-dataset.js';
import { detectFormat, readDataset, type DatasetFormat } from './read-dataset.js';

export interface ImportJob extends ImportProgress {
  id: string;
  path: string;
  status: 'running' | 'succeeded' | 'failed';
  error: string | null;
  startedAt: Date;
  finishedAt: Date | null;
}

export class ImportJobs {
  private readonly jobs = new Map<string, ImportJob>();
  private readonly running = new Map<string, Promise<void>>();
  private stopping = false;

  constructor(
    private readonly db: Database,
    private readonly options: {
      importRoot: string;
      limits: { maxBytes: number; maxPixels: number };
      captionInBackground: (imageIds: string[]) => void;
      onChange?: () => void;
      /** Called with the job when it starts, after each image and when it ends (live progress). */
      onJobChange?: (job: ImportJob) => void;
    },
  ) {}

  get(id: string): ImportJob | null {
    return this.jobs.get(id) ?? null;
  }

  /** Validates the request, reads the dataset index (so format errors surface now), then imports in the background. */
  async start(input: {
    path: string;
    format?: DatasetFormat;
    dataset?: string | null;
    splits?: Split[] | null;
    limit?: number | null;
    caption?: boolean | null;
  }): Promise<ImportJob> {
    if (this.stopping)
      throw new ApiError('SHUTTING_DOWN', 'The server is shutting down; start the import again after it restarts.');
    const root = await insideImportRoot(this.options.importRoot, input.path);
    if ([...this.jobs.values()].some((j) => j.path === root && j.status === 'running')) {
      throw new ApiError('CONFLICT', `An import of ${root} is already running; poll importJob for its progress.`);
    }
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
    const job: ImportJob = {
      id: randomUUID(),
      path: root,
      status: 'running',
      error: null,
      startedAt: new Date(),
      finishedAt: null,
      format,
      dataset: input.dataset ?? path.basename(root),
      total: 0,
      processed: 0,
      created: 0,
      skipped: 0,
      failed: 0,
      failures: [],
    };
    this.jobs.set(job.id, job);
    const work = importDataset(this.db, {
      root,
      format,
      dataset: job.dataset,
      ...(input.splits ? { splits: input.splits } : {}),
      ...(input.limit !== undefined && input.limit !== null ? { limit: input.limit } : {}),
      limits: this.options.limits,
      onImage: input.caption ? (id) => this.options.captionInBackground([id]) : undefined,
      onProgress: (p) => {
        Object.assign(job, p);
        this.options.onChange?.();
        this.options.onJobChange?.(job);
      },
      shouldStop: () => this.stopping,
    })
      .then(() => {
        job.status = 'succeeded';
      })
      .catch((error: unknown) => {
        job.status = 'failed';
        job.error = describeError(error).message;
      })
      .finally(() => {
        job.finishedAt = new Date();
        this.running.delete(job.id);
        this.options.onJobChange?.(job);
      });
    this.running.set(job.id, work);
    this.options.onJobChange?.(job);
    return job;
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

  /** Stops between images; the rest is imported when the same import is started again. */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.running.values());
  }
}

function describeAsInput(error: unknown): Error {
  const { code, message } = describeError(error);
  return code === 'INTERNAL_SERVER_ERROR'
    ? new ApiError('BAD_USER_INPUT', `Cannot read the dataset: ${(error as Error).message}`)
    : new ApiError(code, message);
}
