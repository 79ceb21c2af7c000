// Durable background work: captioning, evaluation and import jobs in PostgreSQL through pg-boss. pg-boss (over
// graphile-worker) because it runs on the database we already have with nothing to install, and gives us what the
// work needs as plain options: priorities, retries with exponential backoff, expiry of jobs whose worker died,
// a 'failed' state that keeps dead jobs visible, and "stately" queues whose unique index allows one waiting and one
// running job per key (so the same caption is never queued twice). Its fetch takes N ready jobs at once with
// SKIP LOCKED, which is what the worker's dynamic batching needs. (Its 10.x line is the one that runs on Node 20.)
import { randomBytes } from 'node:crypto';
import PgBoss from 'pg-boss';
import type pg from 'pg';
import type { CaptionJob, Priority } from '../captioning/caption-queue.js';

export const CAPTION_QUEUE = 'caption';
export const EVALUATE_QUEUE = 'evaluate';
export const IMPORT_QUEUE = 'import';
export const QUEUE_NAMES = [CAPTION_QUEUE, EVALUATE_QUEUE, IMPORT_QUEUE] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

/** pg-boss runs higher priorities first: a user waiting on a caption before evaluation before bulk imports. */
const PRIORITY: Record<Priority | 'evaluation', number> = { interactive: 10, evaluation: 5, background: 0 };

export interface EvaluateJobData {
  runId: string;
}
export interface ImportJobData {
  importJobId: string;
}

export interface JobQueueOptions {
  connectionString: string;
  /** Attempts after the first failure, with exponential backoff from retryDelaySeconds. */
  retryLimit: number;
  retryDelaySeconds: number;
  /** A caption or evaluation job still active this long after it started is taken to be lost and retried. */
  expireSeconds: number;
  /** Imports run longer: the import of a whole dataset is one job. */
  importExpireSeconds: number;
  /** How often some process (one at a time) expires lost jobs and archives finished ones. */
  maintenanceIntervalSeconds: number;
  log: (message: string) => void;
  /** Called after jobs were queued, to wake workers at once instead of at their next poll. */
  onQueued?: (queue: QueueName) => void;
}

export interface QueueCounts {
  queue: QueueName;
  queued: number;
  retrying: number;
  active: number;
  completed: number;
  failed: number;
}

export interface DeadJob {
  id: string;
  queue: QueueName;
  data: unknown;
  error: string;
  attempts: number;
  failedAt: Date | null;
}

export const PG_BOSS_SCHEMA = 'pgboss';

let lastMs = 0;
let sequence = 0;
/**
 * A UUIDv7 whose order is the order of the calls (in this process). Jobs inserted in one statement share
 * created_on, and pg-boss then fetches them by id: random ids would scatter an image's jobs for two models over
 * different batches, and the shared encoder would see the image twice.
 */
function orderedUuid(): string {
  let ms = Date.now();
  if (ms <= lastMs) {
    sequence++;
    if (sequence > 0xfff) {
      lastMs++;
      sequence = 0;
    }
    ms = lastMs;
  } else {
    lastMs = ms;
    sequence = 0;
  }
  const hex = ms.toString(16).padStart(12, '0') + '7' + sequence.toString(16).padStart(3, '0');
  const random = randomBytes(8);
  random[0] = (random[0]! & 0x3f) | 0x80; // the RFC 4122 variant
  const tail = random.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${tail.slice(0, 4)}-${tail.slice(4)}`;
}

/** The key that makes a caption job unique among waiting and running ones (interactive ones apart, see send). */
const captionKey = (job: CaptionJob) => `${job.imageId}|${job.modelId}|${job.beamSize}|${job.maxLength}`;

export class JobQueue {
  private constructor(
    readonly boss: PgBoss,
    private readonly pool: pg.Pool,
    private readonly options: JobQueueOptions,
  ) {}

  /** Starts pg-boss (creating or upgrading its schema under an advisory lock) and the three queues. */
  static async open(pool: pg.Pool, options: JobQueueOptions): Promise<JobQueue> {
    const boss = new PgBoss({
      connectionString: options.connectionString,
      schema: PG_BOSS_SCHEMA,
      max: 4,
      application_name: 'captioner-jobs',
      supervise: true,
      schedule: false,
      maintenanceIntervalSeconds: options.maintenanceIntervalSeconds,
      archiveCompletedAfterSeconds: 60 * 60,
      // Dead jobs stay in the job table (and in the API's status) for a week.
      archiveFailedAfterSeconds: 7 * 24 * 60 * 60,
    });
    boss.on('error', (error) => options.log(`Job queue: ${error.message}`));
    // Two processes installing pg-boss's schema, or creating the same queue, at once fail or deadlock inside
    // pg-boss (its schema check runs outside its lock; each queue creates and attaches a partition), as the API
    // and the worker of a first `npm start` did: one process at a time, by an advisory lock of our own.
    const lock = await pool.connect();
    const key = `${PG_BOSS_SCHEMA} setup`;
    try {
      await lock.query('SELECT pg_advisory_lock(hashtext($1))', [key]);
      await boss.start();
      await JobQueue.createQueues(boss, options);
    } catch (error) {
      await boss.stop({ graceful: false, close: true }).catch(() => undefined);
      throw error;
    } finally {
      await lock.query('SELECT pg_advisory_unlock(hashtext($1))', [key]).catch(() => undefined);
      lock.release();
    }
    return new JobQueue(boss, pool, options);
  }

  private static async createQueues(boss: PgBoss, options: JobQueueOptions): Promise<void> {
    const common = {
      policy: 'stately' as const,
      retryLimit: options.retryLimit,
      retryDelay: options.retryDelaySeconds,
      retryBackoff: true,
    };
    const queues = [
      { name: CAPTION_QUEUE, ...common, expireInSeconds: options.expireSeconds },
      { name: EVALUATE_QUEUE, ...common, expireInSeconds: options.expireSeconds },
      { name: IMPORT_QUEUE, ...common, expireInSeconds: options.importExpireSeconds },
    ];
    for (const queue of queues) {
      await boss.createQueue(queue.name, queue);
      await boss.updateQueue(queue.name, queue); // a queue created by an earlier start keeps its settings otherwise
    }
  }

  /**
   * Queues caption jobs in one statement. A job already waiting with the same key is not queued again. An
   * interactive job has its own key, so it can go ahead of the same job waiting in the background; whichever
   * runs second finds the caption stored (captions are unique per image, model and settings).
   */
  async sendCaptions(jobs: readonly CaptionJob[], priority: Priority): Promise<void> {
    if (jobs.length === 0) return;
    await this.boss.insert(
      jobs.map((job) => ({
        id: orderedUuid(),
        name: CAPTION_QUEUE,
        data: { ...job },
        priority: PRIORITY[priority],
        singletonKey: `${priority === 'interactive' ? 'i:' : ''}${captionKey(job)}`,
      })),
    );
    this.options.onQueued?.(CAPTION_QUEUE);
  }

  /** Queues (the next slice of) an evaluation run; one waiting job per run. */
  async sendEvaluation(runId: string): Promise<void> {
    await this.boss.send(EVALUATE_QUEUE, { runId } satisfies EvaluateJobData, {
      priority: PRIORITY.evaluation,
      singletonKey: runId,
    });
    this.options.onQueued?.(EVALUATE_QUEUE);
  }

  async sendImport(importJobId: string): Promise<void> {
    await this.boss.send(IMPORT_QUEUE, { importJobId } satisfies ImportJobData, {
      priority: PRIORITY.background,
      singletonKey: importJobId,
    });
    this.options.onQueued?.(IMPORT_QUEUE);
  }

  /** Of these images, the ones with a caption job waiting, retrying or running. */
  async imagesWithPendingCaptions(imageIds: readonly string[]): Promise<Set<string>> {
    if (imageIds.length === 0) return new Set();
    const { rows } = await this.pool.query<{ id: string }>(
      `SELECT DISTINCT data->>'imageId' AS id FROM ${PG_BOSS_SCHEMA}.job
        WHERE name = $1 AND state < 'completed' AND data->>'imageId' = ANY($2::text[])`,
      [CAPTION_QUEUE, imageIds],
    );
    return new Set(rows.map((r) => r.id));
  }

  /** Jobs per queue and state; 'failed' ones ran out of retries (the dead-letter state). */
  async counts(): Promise<QueueCounts[]> {
    const { rows } = await this.pool.query<{ name: QueueName; state: string; n: number }>(
      `SELECT name, state::text AS state, count(*)::int AS n FROM ${PG_BOSS_SCHEMA}.job
        WHERE name = ANY($1::text[]) GROUP BY name, state`,
      [QUEUE_NAMES],
    );
    return QUEUE_NAMES.map((queue) => {
      const n = (state: string) => rows.find((r) => r.name === queue && r.state === state)?.n ?? 0;
      return {
        queue,
        queued: n('created'),
        retrying: n('retry'),
        active: n('active'),
        completed: n('completed'),
        failed: n('failed'),
      };
    });
  }

  /** The most recent dead jobs (out of retries), newest first, with the error of their last attempt. */
  async deadJobs(limit: number): Promise<DeadJob[]> {
    const { rows } = await this.pool.query<{
      id: string;
      name: QueueName;
      data: unknown;
      output: unknown;
      retry_count: number;
      completed_on: Date | null;
    }>(
      `SELECT id, name, data, output, retry_count, completed_on FROM ${PG_BOSS_SCHEMA}.job
        WHERE name = ANY($1::text[]) AND state = 'failed' ORDER BY completed_on DESC NULLS LAST LIMIT $2`,
      [QUEUE_NAMES, limit],
    );
    return rows.map((r) => ({
      id: r.id,
      queue: r.name,
      data: r.data,
      error: errorOf(r.output),
      attempts: r.retry_count + 1,
      failedAt: r.completed_on,
    }));
  }

  /** Resolves when the queue has nothing waiting, retrying or running (for the CLI, benchmarks and tests). */
  async drained(queue: QueueName, onPoll?: (counts: QueueCounts) => void, pollMs = 500): Promise<void> {
    for (;;) {
      const counts = (await this.counts()).find((c) => c.queue === queue)!;
      onPoll?.(counts);
      if (counts.queued + counts.retrying + counts.active === 0) return;
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
  }

  stop(): Promise<void> {
    return this.boss.stop({ graceful: false, close: true, wait: true });
  }
}

/** pg-boss stores what fail() was given; ours is { message }. */
function errorOf(output: unknown): string {
  if (output && typeof output === 'object' && 'message' in output && typeof output.message === 'string')
    return output.message;
  return output === null || output === undefined ? 'no error recorded' : JSON.stringify(output);
}
