// One queue's fetch loops in a worker process. Each loop takes up to `batchSize` ready jobs in one statement
// (highest priority first, SKIP LOCKED so workers never take the same job), and when it got fewer, waits at most
// `batchWaitMs` for more before running them: dynamic batching, so a burst of uploads is encoded and decoded in a
// few batched passes instead of one job at a time. Each job then completes or fails on its own (a failed one is
// retried with backoff by pg-boss, and after the last retry stays 'failed').
import type { JobWithMetadata } from 'pg-boss';
import type PgBoss from 'pg-boss';

/** Per job: null when it is done, or the error it failed with. */
export type JobOutcome = null | Error;

export interface QueueWorkerOptions<T> {
  queue: string;
  batchSize: number;
  /** Loops running at once (each with its own batch). */
  concurrency: number;
  /** After a fetch that got fewer than batchSize jobs, how long to wait for more (0 = never). */
  batchWaitMs: number;
  /** Idle loops look again this often even without a wake-up. */
  pollMs: number;
  /** Recorded with each job's outcome. */
  workerName: string;
  handle: (jobs: JobWithMetadata<T>[]) => Promise<JobOutcome[]>;
  log: (message: string) => void;
}

export class QueueWorker<T extends object> {
  private stopping = false;
  private loops: Promise<void>[] = [];
  private sleepers = new Set<() => void>();
  private readonly inFlight = new Set<string>();
  /** Jobs done (completed or failed) by this worker, for benchmarks. */
  processed = 0;

  constructor(
    private readonly boss: PgBoss,
    private readonly options: QueueWorkerOptions<T>,
  ) {}

  start(): void {
    for (let i = 0; i < this.options.concurrency; i++) this.loops.push(this.loop());
  }

  /** Wakes idle loops now (work was queued somewhere). */
  wake(): void {
    for (const wakeUp of [...this.sleepers]) wakeUp();
  }

  /**
   * Stops fetching and waits up to graceMs for running batches. Jobs still running then are failed back to the
   * queue, so another worker retries them now instead of after they expire.
   */
  async stop(graceMs: number): Promise<number> {
    this.stopping = true;
    this.wake();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(this.loops),
      new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs))),
    ]);
    clearTimeout(timer);
    const left = [...this.inFlight];
    try {
      for (const id of left)
        await this.boss.fail(this.options.queue, id, { message: 'The worker stopped before finishing it.' });
    } catch (error) {
      this.options.log(`Could not hand back ${left.length} job(s): ${(error as Error).message}`);
    }
    return left.length;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wakeUp = () => {
        clearTimeout(timer);
        this.sleepers.delete(wakeUp);
        resolve();
      };
      const timer = setTimeout(wakeUp, ms);
      this.sleepers.add(wakeUp);
    });
  }

  private async fetch(batchSize: number): Promise<JobWithMetadata<T>[]> {
    return this.boss.fetch<T>(this.options.queue, { batchSize, includeMetadata: true });
  }

  private async loop(): Promise<void> {
    const { batchSize, batchWaitMs, pollMs, queue, log } = this.options;
    while (!this.stopping) {
      let jobs: JobWithMetadata<T>[];
      try {
        jobs = await this.fetch(batchSize);
        if (jobs.length > 0 && jobs.length < batchSize && batchWaitMs > 0) {
          await new Promise((resolve) => setTimeout(resolve, batchWaitMs));
          jobs.push(...(await this.fetch(batchSize - jobs.length)));
        }
      } catch (error) {
        log(`Fetching ${queue} jobs failed: ${(error as Error).message}`);
        await this.sleep(pollMs);
        continue;
      }
      if (jobs.length === 0) {
        await this.sleep(pollMs);
        continue;
      }
      for (const job of jobs) this.inFlight.add(job.id);
      await this.run(jobs);
      for (const job of jobs) this.inFlight.delete(job.id);
    }
  }

  private async run(jobs: JobWithMetadata<T>[]): Promise<void> {
    const { queue, log } = this.options;
    let outcomes: JobOutcome[];
    try {
      outcomes = await this.options.handle(jobs);
    } catch (error) {
      outcomes = jobs.map(() => (error instanceof Error ? error : new Error(String(error))));
    }
    const done = jobs.filter((_, i) => outcomes[i] === null).map((j) => j.id);
    try {
      // The output names the worker, so an operator (and the scale-out test) can see who did what.
      if (done.length > 0) await this.boss.complete(queue, done, { worker: this.options.workerName } as never);
      for (const [i, job] of jobs.entries()) {
        const outcome = outcomes[i] ?? new Error('the job produced no outcome');
        if (outcome !== null)
          await this.boss.fail(queue, job.id, { message: outcome.message, worker: this.options.workerName });
      }
    } catch (error) {
      // The jobs stay active and expire, then another attempt runs (the work itself is idempotent).
      log(`Could not record the outcome of ${jobs.length} ${queue} job(s): ${(error as Error).message}`);
    }
    this.processed += jobs.length;
  }
}
