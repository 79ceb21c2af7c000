// A bounded-concurrency queue for captioning. Jobs hold only ids (the worker loads bytes when it runs), so a
// burst of uploads queues cheaply instead of holding images in memory. Interactive jobs (a user waiting on a
// mutation) go before background ones (uploads, imports, evaluation). Jobs of one group are taken together as one
// batch of at most `maxBatch` distinct images: by default a group is one model and its settings (the model decodes
// a batch in one step call per time step); the caption service groups the models that share an encoder, so one
// batch carries every model's jobs for the same images and each image goes through the encoder once.

export type Priority = 'interactive' | 'background';

export interface CaptionJob {
  imageId: string;
  modelId: string;
  beamSize: number;
  maxLength: number;
}

/** Runs a batch of jobs (one group); resolves with one result or error per job, same order. */
export type BatchRunner<R> = (jobs: CaptionJob[]) => Promise<(R | Error)[]>;

interface Entry<R> {
  job: CaptionJob;
  key: string;
  waiters: { resolve: (r: R) => void; reject: (e: Error) => void }[];
}

const jobKey = (j: CaptionJob) => `${j.imageId}|${j.modelId}|${j.beamSize}|${j.maxLength}`;
/** The default grouping: one model with one set of decode settings. */
export const modelAndSettings = (j: CaptionJob) => `${j.modelId}|${j.beamSize}|${j.maxLength}`;

export class QueueClosedError extends Error {
  override name = 'QueueClosedError';
}

export class CaptionQueue<R> {
  private readonly queues: Record<Priority, Entry<R>[]> = { interactive: [], background: [] };
  private readonly byKey = new Map<string, Entry<R>>();
  private readonly runningByImage = new Map<string, number>();
  private running = 0;
  private runningJobs = 0;
  private closed = false;
  private pumpScheduled = false;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly runBatch: BatchRunner<R>,
    readonly concurrency: number,
    private readonly maxBatch = 8,
    /** Called whenever jobs are added or finish (e.g. to invalidate cached responses). */
    private readonly onChange: () => void = () => undefined,
    /** Jobs with the same group may share a batch. */
    private readonly groupOf: (job: CaptionJob) => string = modelAndSettings,
  ) {}

  /**
   * Adds a job (or joins the same job already waiting/running) and resolves with its result.
   * An interactive request for a job waiting in the background queue moves it to the front.
   */
  enqueue(job: CaptionJob, priority: Priority = 'background'): Promise<R> {
    if (this.closed) return Promise.reject(new QueueClosedError('The server is shutting down; try again in a moment.'));
    const key = jobKey(job);
    let entry = this.byKey.get(key);
    if (entry && priority === 'interactive') {
      const i = this.queues.background.indexOf(entry);
      if (i >= 0) {
        this.queues.background.splice(i, 1);
        this.queues.interactive.push(entry);
      }
    }
    const promise = new Promise<R>((resolve, reject) => {
      if (!entry) {
        entry = { job, key, waiters: [] };
        this.byKey.set(key, entry);
        this.queues[priority].push(entry);
      }
      entry.waiters.push({ resolve, reject });
    });
    this.onChange();
    this.schedulePump();
    return promise;
  }

  /** True while a job for this image is waiting or running. */
  hasWorkFor(imageId: string): boolean {
    if ((this.runningByImage.get(imageId) ?? 0) > 0) return true;
    for (const entry of this.byKey.values()) if (entry.job.imageId === imageId) return true;
    return false;
  }

  stats(): { pending: number; running: number; concurrency: number } {
    return {
      pending: this.queues.interactive.length + this.queues.background.length,
      running: this.runningJobs,
      concurrency: this.concurrency,
    };
  }

  /**
   * Stops taking new jobs, rejects waiting ones (their callers see SHUTTING_DOWN; background work is found
   * again at the next start), and waits up to `graceMs` for running batches to finish.
   * Returns the number of waiting jobs that were dropped.
   */
  async close(graceMs: number): Promise<{ dropped: number; unfinished: number }> {
    this.closed = true;
    const waiting = [...this.queues.interactive, ...this.queues.background];
    this.queues.interactive = [];
    this.queues.background = [];
    for (const entry of waiting) {
      this.byKey.delete(entry.key);
      for (const w of entry.waiters)
        w.reject(new QueueClosedError('The server is shutting down; try again in a moment.'));
    }
    if (this.running > 0) {
      await Promise.race([
        new Promise<void>((resolve) => this.idleWaiters.push(resolve)),
        new Promise<void>((resolve) => setTimeout(resolve, graceMs).unref()),
      ]);
    }
    return { dropped: waiting.length, unfinished: this.runningJobs };
  }

  /** Takes jobs again after close() (a worker started anew in the same process, as the benchmark does). */
  reopen(): void {
    this.closed = false;
  }

  /** Resolves when nothing is waiting or running (for tests and the import command). */
  onIdle(): Promise<void> {
    if (this.running === 0 && this.byKey.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private takeBatch(): Entry<R>[] | null {
    const source = this.queues.interactive.length > 0 ? this.queues.interactive : this.queues.background;
    const first = source.shift();
    if (!first) return null;
    const batch = [first];
    const images = new Set([first.job.imageId]);
    const wanted = this.groupOf(first.job);
    for (const queue of [this.queues.interactive, this.queues.background]) {
      for (let i = 0; i < queue.length;) {
        const { job } = queue[i]!;
        // Another job for an image already in the batch always joins; a new image only while there is room.
        if (this.groupOf(job) === wanted && (images.has(job.imageId) || images.size < this.maxBatch)) {
          images.add(job.imageId);
          batch.push(...queue.splice(i, 1));
        } else i++;
      }
    }
    return batch;
  }

  /**
   * Batches are formed a moment after jobs are added (a microtask), so jobs added together in one synchronous
   * burst (an evaluation chunk, every model's job for a new image) can share a batch.
   */
  private schedulePump(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    queueMicrotask(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  private pump(): void {
    while (!this.closed && this.running < this.concurrency) {
      const batch = this.takeBatch();
      if (!batch) break;
      this.running++;
      this.runningJobs += batch.length;
      for (const e of batch) this.runningByImage.set(e.job.imageId, (this.runningByImage.get(e.job.imageId) ?? 0) + 1);
      void this.execute(batch);
    }
    if (this.running === 0 && this.byKey.size === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  private async execute(batch: Entry<R>[]): Promise<void> {
    let results: (R | Error)[];
    try {
      results = await this.runBatch(batch.map((e) => e.job));
    } catch (error) {
      results = batch.map(() => (error instanceof Error ? error : new Error(String(error))));
    }
    batch.forEach((entry, i) => {
      this.byKey.delete(entry.key);
      const n = (this.runningByImage.get(entry.job.imageId) ?? 1) - 1;
      if (n > 0) this.runningByImage.set(entry.job.imageId, n);
      else this.runningByImage.delete(entry.job.imageId);
      const result = results[i] ?? new Error('captioning returned no result for this job');
      for (const w of entry.waiters) {
        if (result instanceof Error) w.reject(result);
        else w.resolve(result);
      }
    });
    this.running--;
    this.runningJobs -= batch.length;
    this.onChange();
    if (this.closed && this.running === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
      return;
    }
    this.pump();
  }
}
