// Captioning for the API: decode settings resolved and checked, cached captions reused, new ones computed
// through the bounded queue and stored with n-best, attention, sentence BLEU and latency.
import { sentenceBleu, tokenize, type CaptionModel, type CaptionResult } from '@captioner/model';
import type { CaptionRecord, Database, JsonValue } from '@captioner/db';
import { ApiError, badInput, notFound } from '../errors.js';
import { CaptionQueue, type CaptionJob, type Priority } from './caption-queue.js';
import type { ModelRegistry } from './model-registry.js';

export interface DecodeSettings {
  beamSize: number;
  maxLength: number;
}

export const maxBeamSize = 10;
export const maxCaptionLength = 50;

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

export class CaptionService {
  readonly queue: CaptionQueue<CaptionRecord>;

  constructor(
    private readonly db: Database,
    readonly registry: ModelRegistry,
    private readonly options: {
      concurrency: number;
      defaultBeamSize: number;
      log: (message: string) => void;
      onChange?: () => void;
    },
  ) {
    this.queue = new CaptionQueue((jobs) => this.runBatch(jobs), options.concurrency, 8, options.onChange);
  }

  /** The model and complete settings for a request; throws NOT_FOUND / MODEL_UNAVAILABLE / BAD_USER_INPUT. */
  resolve(
    modelId: string,
    beamSize?: number | null,
    maxLength?: number | null,
  ): { model: CaptionModel; settings: DecodeSettings } {
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
    if (!Number.isInteger(beam) || beam < 1 || beam > maxBeamSize) {
      throw badInput(`beamSize must be an integer from 1 to ${maxBeamSize} (1 = greedy); got ${beam}.`, 'beamSize');
    }
    if (!Number.isInteger(length) || length < 1 || length > maxCaptionLength) {
      throw badInput(`maxLength must be an integer from 1 to ${maxCaptionLength} words; got ${length}.`, 'maxLength');
    }
    return { model: entry.model, settings: { beamSize: beam, maxLength: length } };
  }

  defaultSettings(model: CaptionModel): DecodeSettings {
    return { beamSize: this.options.defaultBeamSize, maxLength: model.manifest.maxLength };
  }

  /** A caption with these settings: the stored one when it exists (cached), else computed now. */
  async captionImage(
    request: { imageId: string; modelId: string; beamSize?: number | null; maxLength?: number | null },
    priority: Priority = 'interactive',
  ): Promise<{ caption: CaptionRecord; cached: boolean }> {
    const { settings } = this.resolve(request.modelId, request.beamSize, request.maxLength);
    const image = await this.db.images.getById(request.imageId);
    if (!image) throw notFound('image', request.imageId);
    const stored = await this.db.captions.find({
      imageId: image.id,
      modelId: request.modelId,
      settings: { ...settings },
    });
    if (stored) return { caption: stored, cached: true };
    const caption = await this.queue.enqueue({ imageId: image.id, modelId: request.modelId, ...settings }, priority);
    return { caption, cached: false };
  }

  /** Queues default-settings captions of these images with every loaded model; failures are logged, not thrown. */
  captionInBackground(imageIds: readonly string[]): Promise<void>[] {
    const pending: Promise<void>[] = [];
    for (const model of this.registry.loaded()) {
      for (const imageId of imageIds) {
        pending.push(
          this.queue
            .enqueue({ imageId, modelId: model.id, ...this.defaultSettings(model) }, 'background')
            .then(() => undefined)
            .catch((error: Error) => {
              if (error.name !== 'QueueClosedError')
                this.options.log(`Captioning image ${imageId} with ${model.id} failed: ${error.message}`);
            }),
        );
      }
    }
    return pending;
  }

  /**
   * Finds images that lack a default caption from some loaded model (uploads whose captioning was cut short by
   * a restart, images imported before a model existed) and queues them. Returns how many jobs were queued.
   */
  async backfill(): Promise<number> {
    let queued = 0;
    let after: string | null = null;
    for (;;) {
      const page: Awaited<ReturnType<Database['images']['list']>> = await this.db.images.list({ first: 100, after });
      const ids = page.items.map((i) => i.image.id);
      for (const model of this.registry.loaded()) {
        const have = await this.db.captions.findForImages({
          modelId: model.id,
          settings: { ...this.defaultSettings(model) },
          imageIds: ids,
        });
        const missing = ids.filter((id) => !have.has(id));
        for (const imageId of missing) {
          queued++;
          this.queue
            .enqueue({ imageId, modelId: model.id, ...this.defaultSettings(model) }, 'background')
            .catch((error: Error) => {
              if (error.name !== 'QueueClosedError')
                this.options.log(`Captioning image ${imageId} with ${model.id} failed: ${error.message}`);
            });
        }
      }
      if (!page.hasNextPage) break;
      after = page.endCursor;
    }
    return queued;
  }

  /** The queue's worker: one model call for a batch of images with the same model and settings. */
  private async runBatch(jobs: CaptionJob[]): Promise<(CaptionRecord | Error)[]> {
    const first = jobs[0]!;
    const entry = this.registry.get(first.modelId);
    if (!entry?.model)
      return jobs.map(() => new ApiError('MODEL_UNAVAILABLE', `Model "${first.modelId}" is not loaded.`));
    const model = entry.model;
    const settings = { beamSize: first.beamSize, maxLength: first.maxLength };
    // Another process (or an earlier job) may have stored some already.
    const stored = await this.db.captions.findForImages({
      modelId: model.id,
      settings: { ...settings },
      imageIds: jobs.map((j) => j.imageId),
    });
    const todo = jobs.filter((j) => !stored.has(j.imageId));
    const computed = new Map<string, CaptionRecord | Error>();
    if (todo.length > 0) {
      const originals = await Promise.all(todo.map((j) => this.db.images.getOriginal(j.imageId)));
      const present = todo.filter((j, i) => {
        if (originals[i]) return true;
        computed.set(j.imageId, notFound('image', j.imageId));
        return false;
      });
      const bytes = originals.filter((o) => o !== null).map((o) => o.bytes);
      let results: (CaptionResult | Error)[];
      try {
        results = await model.caption(bytes, {
          beamSize: settings.beamSize,
          maxLength: settings.maxLength,
          nBest: settings.beamSize,
        });
      } catch {
        // One bad image fails the whole batch call: caption them one by one so only it fails.
        results = await Promise.all(
          bytes.map((b) =>
            model
              .caption([b], { beamSize: settings.beamSize, maxLength: settings.maxLength, nBest: settings.beamSize })
              .then((r) => r[0]!)
              .catch((e: unknown) => (e instanceof Error ? e : new Error(String(e)))),
          ),
        );
      }
      const references = await Promise.all(present.map((j) => this.db.references.listByImage(j.imageId)));
      await Promise.all(
        present.map(async (job, i) => {
          const result = results[i]!;
          if (result instanceof Error) {
            computed.set(job.imageId, result);
            return;
          }
          const refs = references[i]!.map((r) => tokenize(r.text));
          const caption = await this.db.captions.save({
            imageId: job.imageId,
            modelId: model.id,
            settings: { ...settings },
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
            attention: attentionOf(model, result) as JsonValue | null,
            sentenceBleu: refs.length > 0 ? sentenceBleu(refs, result.words) : null,
            latencyMs: result.latencyMs,
          });
          computed.set(job.imageId, caption);
        }),
      );
    }
    return jobs.map(
      (j) =>
        stored.get(j.imageId) ?? computed.get(j.imageId) ?? new Error(`no caption produced for image ${j.imageId}`),
    );
  }
}
