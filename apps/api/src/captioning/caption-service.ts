// Captioning: decode settings resolved and checked, cached captions reused, new ones queued as durable jobs
// (jobs/job-queue.ts) that a worker runs. In a worker, the jobs it takes go through the in-process batching queue
// and are stored with n-best, attention, sentence BLEU and latency. Models that share an encoder (models/README.md,
// format 2: the Flickr8k models' ResNet50) share batches, and a batch is captioned with captionTogether(), so an
// image captioned by both goes through the encoder once.
import {
  BEAM_SIZE,
  captionTogether,
  isWholeNumberIn,
  MAX_LENGTH,
  sentenceBleu,
  tokenize,
  type CaptionModel,
  type CaptionRequest,
  type CaptionResult,
  type CaptionSettings,
} from '@captioner/model';
import type { CaptionRecord, Database, JsonValue } from '@captioner/db';
import { ApiError, badInput, notFound } from '../errors.js';
import type { JobQueue } from '../jobs/job-queue.js';
import type { ProgressEvent } from '../live/progress-event.js';
import { CaptionQueue, modelAndSettings, type CaptionJob, type Priority } from './caption-queue.js';
import type { ModelRegistry } from './model-registry.js';

/** Attention as stored and served: per generated word, the grid weights row-major. */
export interface StoredAttention {
  rows: number;
  cols: number;
  steps: { word: string; weights: number[] }[];
}

const round = (v: number, digits: number) => Math.round(v * 10 ** digits) / 10 ** digits;

function attentionOf(model: CaptionModel, result: CaptionResult): StoredAttention | null {
  if (!result.attention) return null;
  const { rows, cols } = model.manifest.grid ?? { rows: 1, cols: 1 };
  return {
    rows,
    cols,
    steps: result.attention.map((grid, i) => ({
      word: result.words[i] ?? '',
      weights: grid.flat().map((w) => round(w, 6)),
    })),
  };
}

/** A caption stored (captionId) or a failure to make one (error). */
export interface CaptionedEvent {
  imageId: string;
  modelId: string;
  beamSize: number;
  maxLength: number;
  captionId: string | null;
  error: string | null;
}

/** Where captioned events arrive from every process (the progress bus). */
export interface CaptionEvents {
  subscribe(listener: (event: ProgressEvent) => void): () => void;
}

/** While waiting for a queued interactive caption, look in the database this often too (a missed event). */
const WAIT_POLL_MS = 2_000;

export class CaptionService {
  readonly queue: CaptionQueue<CaptionRecord>;

  constructor(
    private readonly db: Database,
    readonly registry: ModelRegistry,
    private readonly options: {
      concurrency: number;
      /** Images per batch in this process's queue. */
      maxBatch: number;
      defaultBeamSize: number;
      jobs: JobQueue;
      events: CaptionEvents;
      /** How long captionImage waits for a queued caption before answering that it is still being made. */
      waitMs: number;
      log: (message: string) => void;
      onChange?: () => void;
      /** Called when this process stored a caption of an image, or failed to make one (live progress). */
      onCaptioned?: (event: CaptionedEvent) => void;
    },
  ) {
    // Queue groups: one per encoder that loaded models share (the same EncoderInfo object), else per model.
    const encoders = new Map<unknown, string>();
    const groups = new Map<string, string>();
    for (const model of registry.loaded()) {
      if (!encoders.has(model.encoder)) encoders.set(model.encoder, `encoder ${encoders.size}`);
      groups.set(model.id, encoders.get(model.encoder)!);
    }
    this.queue = new CaptionQueue(
      (jobs) => this.runBatch(jobs),
      options.concurrency,
      options.maxBatch,
      options.onChange,
      (job) => (groups.has(job.modelId) ? groups.get(job.modelId)! : modelAndSettings(job)),
    );
  }

  /** The model and complete settings for a request; throws NOT_FOUND / MODEL_UNAVAILABLE / BAD_USER_INPUT. */
  resolve(
    modelId: string,
    beamSize?: number | null,
    maxLength?: number | null,
  ): { model: CaptionModel; settings: CaptionSettings } {
    const entry = this.registry.get(modelId);
    if (!entry) throw notFound('model', modelId);
    if (!entry.model) {
      throw new ApiError(
        'MODEL_UNAVAILABLE',
        `Model "${modelId}" is not loaded (${entry.loadError}). Fix its directory and restart the API.`,
      );
    }
    const beam = beamSize ?? this.options.defaultBeamSize;
    const length = maxLength ?? entry.model.manifest.maxLength;
    if (!isWholeNumberIn(beam, BEAM_SIZE)) {
      throw badInput(
        `beamSize must be an integer from ${BEAM_SIZE.min} to ${BEAM_SIZE.max} (1 = greedy); got ${beam}.`,
        'beamSize',
      );
    }
    if (!isWholeNumberIn(length, MAX_LENGTH)) {
      throw badInput(
        `maxLength must be an integer from ${MAX_LENGTH.min} to ${MAX_LENGTH.max} words; got ${length}.`,
        'maxLength',
      );
    }
    return { model: entry.model, settings: { beamSize: beam, maxLength: length } };
  }

  defaultSettings(model: CaptionModel): CaptionSettings {
    return { beamSize: this.options.defaultBeamSize, maxLength: model.manifest.maxLength };
  }

  /** A caption with these settings: the stored one when it exists (cached), else queued and waited for. */
  async captionImage(
    request: { imageId: string; modelId: string; beamSize?: number | null; maxLength?: number | null },
    priority: Priority = 'interactive',
  ): Promise<{ caption: CaptionRecord; cached: boolean }> {
    const { settings } = this.resolve(request.modelId, request.beamSize, request.maxLength);
    const image = await this.db.images.getById(request.imageId);
    if (!image) throw notFound('image', request.imageId);
    const job: CaptionJob = { imageId: image.id, modelId: request.modelId, ...settings };
    const stored = await this.storedCaption(job);
    if (stored) return { caption: stored, cached: true };
    const caption = this.waitForCaption(job); // listening before queueing: the event cannot come first
    await this.options.jobs.sendCaptions([job], priority);
    return { caption: await caption, cached: false };
  }

  private storedCaption(job: CaptionJob): Promise<CaptionRecord | null> {
    return this.db.captions.find({
      imageId: job.imageId,
      modelId: job.modelId,
      settings: { beamSize: job.beamSize, maxLength: job.maxLength },
    });
  }

  /**
   * Resolves when a worker (in any process) stored this caption; rejects when an attempt failed, or after waitMs
   * (the job stays queued and the caption appears later). Events wake it; a slow poll covers a missed event.
   */
  private waitForCaption(job: CaptionJob): Promise<CaptionRecord> {
    return new Promise((resolve, reject) => {
      let settled = false;
      const finish = (outcome: CaptionRecord | Error) => {
        if (settled) return;
        settled = true;
        unsubscribe();
        clearInterval(poll);
        clearTimeout(timeout);
        if (outcome instanceof Error) reject(outcome);
        else resolve(outcome);
      };
      const look = () =>
        this.storedCaption(job).then(
          (caption) => caption && finish(caption),
          (error: Error) => finish(error),
        );
      const unsubscribe = this.options.events.subscribe((event) => {
        if (event.kind !== 'caption' || event.imageId !== job.imageId || event.modelId !== job.modelId) return;
        if (event.beamSize !== job.beamSize || event.maxLength !== job.maxLength) return;
        if (event.error !== null) finish(new ApiError('INTERNAL_SERVER_ERROR', `Captioning failed: ${event.error}`));
        else void look();
      });
      const poll = setInterval(() => void look(), WAIT_POLL_MS);
      const timeout = setTimeout(
        () =>
          finish(
            new ApiError(
              'STILL_RUNNING',
              `The caption is still being made (no worker finished it within ${Math.round(this.options.waitMs / 1000)} s); it stays queued: ask again in a moment.`,
            ),
          ),
        this.options.waitMs,
      );
    });
  }

  /** Queues default-settings captions of these images with every loaded model (durable background jobs). */
  async captionInBackground(imageIds: readonly string[]): Promise<void> {
    // Image by image, every model's job together: a worker's fetch then takes both models' jobs for the same
    // images, and each image goes through their shared encoder once.
    const models = this.registry.loaded();
    const jobs = imageIds.flatMap((imageId) =>
      models.map((model) => ({ imageId, modelId: model.id, ...this.defaultSettings(model) })),
    );
    await this.options.jobs.sendCaptions(jobs, 'background');
  }

  /**
   * Finds images that lack a default caption from some loaded model (images imported before a model existed, or
   * stored while no worker ran) and queues them. Returns how many jobs were queued (waiting ones are not doubled).
   */
  async backfill(): Promise<number> {
    let queued = 0;
    let after: string | null = null;
    for (;;) {
      const page: Awaited<ReturnType<Database['images']['list']>> = await this.db.images.list({ first: 100, after });
      const ids = page.items.map((i) => i.image.id);
      const missing: CaptionJob[] = [];
      for (const model of this.registry.loaded()) {
        const have = await this.db.captions.findForImages({
          modelId: model.id,
          settings: { ...this.defaultSettings(model) },
          imageIds: ids,
        });
        for (const imageId of ids)
          if (!have.has(imageId)) missing.push({ imageId, modelId: model.id, ...this.defaultSettings(model) });
      }
      // Image by image (see captionInBackground).
      missing.sort((a, b) => ids.indexOf(a.imageId) - ids.indexOf(b.imageId));
      queued += missing.length;
      await this.options.jobs.sendCaptions(missing, 'background');
      if (!page.hasNextPage) break;
      after = page.endCursor;
    }
    return queued;
  }

  /** The worker's side: these jobs through this process's batching queue; one caption or error per job. */
  execute(jobs: readonly CaptionJob[], priority: Priority): Promise<(CaptionRecord | Error)[]> {
    return Promise.all(
      jobs.map((job) =>
        this.queue
          .enqueue(job, priority)
          .catch((error: unknown) => (error instanceof Error ? error : new Error(String(error)))),
      ),
    );
  }

  /**
   * The queue's worker: the batch's jobs (one or several models sharing an encoder, each with its settings)
   * in one captionTogether() call, so each image is decoded and encoded once; each result is stored.
   */
  private async runBatch(jobs: CaptionJob[]): Promise<(CaptionRecord | Error)[]> {
    const outcome = new Map<CaptionJob, CaptionRecord | Error>();
    // Jobs per model and settings; another process (or an earlier job) may have stored some already.
    const groups = new Map<string, { model: CaptionModel; settings: CaptionSettings; jobs: CaptionJob[] }>();
    for (const job of jobs) {
      const model = this.registry.get(job.modelId)?.model;
      if (!model) {
        outcome.set(job, new ApiError('MODEL_UNAVAILABLE', `Model "${job.modelId}" is not loaded.`));
        continue;
      }
      const key = modelAndSettings(job);
      const group = groups.get(key) ?? {
        model,
        settings: { beamSize: job.beamSize, maxLength: job.maxLength },
        jobs: [],
      };
      group.jobs.push(job);
      groups.set(key, group);
    }
    const todo: { model: CaptionModel; settings: CaptionSettings; jobs: CaptionJob[] }[] = [];
    for (const group of groups.values()) {
      const stored = await this.db.captions.findForImages({
        modelId: group.model.id,
        settings: { ...group.settings },
        imageIds: group.jobs.map((j) => j.imageId),
      });
      const missing = group.jobs.filter((j) => {
        const caption = stored.get(j.imageId);
        if (caption) outcome.set(j, caption);
        return !caption;
      });
      if (missing.length > 0) todo.push({ ...group, jobs: missing });
    }
    if (todo.length === 0) return jobs.map((j) => outcome.get(j)!);

    // Each image's bytes once, however many models caption it.
    const imageIds = [...new Set(todo.flatMap((g) => g.jobs.map((j) => j.imageId)))];
    const originals = await Promise.all(imageIds.map((id) => this.db.images.getOriginal(id)));
    const bytes = new Map(imageIds.flatMap((id, i) => (originals[i] ? [[id, originals[i].bytes] as const] : [])));
    for (const group of todo) {
      group.jobs = group.jobs.filter((j) => {
        if (bytes.has(j.imageId)) return true;
        outcome.set(j, notFound('image', j.imageId));
        return false;
      });
    }
    const requests = todo.map((group) => ({
      model: group.model,
      images: group.jobs.map((j) => bytes.get(j.imageId)!),
      options: {
        beamSize: group.settings.beamSize,
        maxLength: group.settings.maxLength,
        nBest: group.settings.beamSize,
      },
    }));
    const results = await this.captionRequests(requests);

    const references = new Map(
      await Promise.all(
        [...bytes.keys()].map(
          async (id) => [id, (await this.db.references.listByImage(id)).map((r) => tokenize(r.text))] as const,
        ),
      ),
    );
    await Promise.all(
      todo.flatMap((group, g) =>
        group.jobs.map(async (job, i) => {
          const result = results[g]![i]!;
          if (result instanceof Error) {
            outcome.set(job, result);
            this.options.onCaptioned?.({
              imageId: job.imageId,
              modelId: job.modelId,
              beamSize: job.beamSize,
              maxLength: job.maxLength,
              captionId: null,
              error: result.message,
            });
            return;
          }
          const refs = references.get(job.imageId) ?? [];
          const caption = await this.db.captions.save({
            imageId: job.imageId,
            modelId: group.model.id,
            settings: { ...group.settings },
            text: result.text,
            tokens: result.words,
            tokenIds: result.tokens,
            logProb: result.logprob,
            nBest: result.nBest.map((h) => ({
              text: h.text,
              tokens: h.words,
              logProb: h.logprob,
              score: h.score,
            })) as JsonValue,
            attention: attentionOf(group.model, result) as JsonValue | null,
            sentenceBleu: refs.length > 0 ? sentenceBleu(refs, result.words) : null,
            latencyMs: result.latencyMs,
          });
          outcome.set(job, caption);
          this.options.onCaptioned?.({
            imageId: job.imageId,
            modelId: job.modelId,
            beamSize: job.beamSize,
            maxLength: job.maxLength,
            captionId: caption.id,
            error: null,
          });
        }),
      ),
    );
    return jobs.map((j) => outcome.get(j) ?? new Error(`no caption produced for image ${j.imageId}`));
  }

  /** All requests in one call; when that fails (one bad image fails it), image by image so only that one fails. */
  private async captionRequests(requests: CaptionRequest[]): Promise<(CaptionResult | Error)[][]> {
    try {
      return await captionTogether(requests);
    } catch {
      return Promise.all(
        requests.map((request) =>
          Promise.all(
            request.images.map((image) =>
              request.model
                .caption([image], request.options)
                .then((r) => r[0]!)
                .catch((e: unknown) => (e instanceof Error ? e : new Error(String(e)))),
            ),
          ),
        ),
      );
    }
  }
}
