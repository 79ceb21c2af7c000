// The captioning pipeline: images -> preprocessing -> encoder -> init + batched search, for one model
// (CaptionModel.caption) or several at once (captionTogether, captionWithModels). Work is shared where
// the contract allows it (models/README.md, format 2): an image is preprocessed once per image spec and
// encoded once per shared encoder, however many models caption it.
import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';

import type ort from 'onnxruntime-node';

import { resolveDecodeOptions, type DecodeOptions, type DecodeSettings } from './decode-options.js';
import { preprocessImage, type ImageLimits } from './image.js';
import { internalsOf, type CaptionModel, type CaptionResult } from './model.js';
import { imageSpecKey, type SharedEncoder } from './shared-encoder.js';
import { gatherBatch } from './step-state.js';

/** One model's share of a captionTogether() call: what `model.caption(images, options)` would do. */
export interface CaptionRequest {
  model: CaptionModel;
  images: readonly Uint8Array[];
  options?: DecodeOptions;
}

/**
 * Runs several models' caption() calls as one: the result lists equal those of
 * `requests.map((r) => r.model.caption(r.images, r.options))`, in order, but an image given to several
 * models (the same bytes, compared by content) is decoded and preprocessed once per image spec and
 * encoded once per shared encoder. `latencyMs` counts from the start of this call.
 */
export async function captionTogether(requests: readonly CaptionRequest[]): Promise<CaptionResult[][]> {
  const keyOf = requests.length > 1 ? contentKeys() : null;
  const jobs = requests.map((request): CaptionJob => {
    const options = request.options ?? {};
    return {
      model: request.model,
      settings: resolveDecodeOptions(options, request.model.manifest.maxLength),
      limits: options.imageLimits ?? {},
      sources: request.images.map((bytes, i) => ({ key: keyOf ? keyOf(bytes) : `image ${i}`, bytes })),
    };
  });
  return runCaptionJobs(jobs);
}

/**
 * Captions the same images with every model: `results[m][i]` is models[m]'s caption of images[i].
 * Each image is preprocessed once per image spec and encoded once per shared encoder, so with the two
 * Flickr8k models (one ResNet50) an image costs one encoder pass.
 */
export async function captionWithModels(
  images: readonly Uint8Array[],
  models: readonly CaptionModel[],
  options: DecodeOptions = {},
): Promise<CaptionResult[][]> {
  return captionTogether(models.map((model) => ({ model, images, options })));
}

/** An input image: encoded bytes, or an already preprocessed [3, H, W] tensor. Equal keys = same image. */
export type Source = { key: string; bytes: Uint8Array } | { key: string; tensor: Float32Array };

export interface CaptionJob {
  model: CaptionModel;
  settings: DecodeSettings;
  /** Overrides of the model's default image limits. */
  limits?: Partial<ImageLimits>;
  sources: readonly Source[];
}

interface Prepared {
  tensor: Float32Array;
  image: CaptionResult['image'];
}

/**
 * The pipeline behind caption(), captionTensors() and captionTogether(). Distinct images are taken in
 * chunks of the smallest maxBatchSize among the models, so no more than one chunk of decoded images is
 * held at a time; per chunk each image is preprocessed once per (image spec, limits), encoded once per
 * encoder, then each model decodes its images of the chunk in one batch.
 */
export async function runCaptionJobs(jobs: readonly CaptionJob[]): Promise<CaptionResult[][]> {
  const start = performance.now();
  const models = jobs.map((job) => {
    const inner = internalsOf(job.model);
    inner.assertUsable();
    return { ...inner, limits: { ...inner.defaults.imageLimits, ...job.limits } };
  });
  const order = [...new Set(jobs.flatMap((job) => job.sources.map((s) => s.key)))];
  const chunkSize = Math.min(...models.map((m) => m.defaults.maxBatchSize));
  const results: CaptionResult[][] = jobs.map(() => []);

  for (let first = 0; first < order.length; first += chunkSize) {
    const chunk = new Set(order.slice(first, first + chunkSize));
    // Per job, the indices of its sources in this chunk.
    const entries = jobs.map((job) => job.sources.flatMap((source, i) => (chunk.has(source.key) ? [i] : [])));

    const pending = new Map<string, Promise<Prepared>>();
    const preparedKey = (j: number, source: Source): string =>
      `${source.key}\n${imageSpecKey(jobs[j]!.model.manifest.image)}\n${JSON.stringify(models[j]!.limits)}`;
    jobs.forEach((job, j) => {
      for (const i of entries[j]!) {
        const source = job.sources[i]!;
        const key = preparedKey(j, source);
        if (!pending.has(key)) pending.set(key, prepare(source, job.model, models[j]!.limits));
      }
    });
    const prepared = new Map(await Promise.all([...pending].map(async ([key, p]) => [key, await p] as const)));

    // One encoder call per encoder over the distinct images its models need (its image spec is fixed).
    const needs = new Map<SharedEncoder, { rows: Map<string, number>; inputs: Float32Array[] }>();
    jobs.forEach((job, j) => {
      const encoder = models[j]!.encoder;
      const need = needs.get(encoder) ?? { rows: new Map<string, number>(), inputs: [] };
      needs.set(encoder, need);
      for (const i of entries[j]!) {
        const source = job.sources[i]!;
        if (need.rows.has(source.key)) continue;
        need.rows.set(source.key, need.inputs.length);
        need.inputs.push(prepared.get(preparedKey(j, source))!.tensor);
      }
    });
    const features = new Map<SharedEncoder, ort.Tensor>();
    for (const [encoder, need] of needs) {
      if (need.inputs.length > 0) features.set(encoder, await encoder.encode(need.inputs));
    }

    for (const [j, job] of jobs.entries()) {
      const indices = entries[j]!;
      if (indices.length === 0) continue;
      const model = models[j]!;
      const { rows } = needs.get(model.encoder)!;
      const batch = gatherBatch(
        features.get(model.encoder)!,
        Int32Array.from(indices, (i) => rows.get(job.sources[i]!.key)!),
      );
      const finishedAt: number[] = [];
      const hypotheses = await model.decode(batch, job.settings, (image) => (finishedAt[image] = performance.now()));
      for (const [k, i] of indices.entries()) {
        const nBest = hypotheses[k]!;
        const { image } = prepared.get(preparedKey(j, job.sources[i]!))!;
        results[j]![i] = {
          ...nBest[0]!,
          nBest,
          latencyMs: (finishedAt[k] ?? performance.now()) - start,
          decode: {
            beamSize: job.settings.beamSize,
            maxLength: job.settings.maxLength,
            nBest: job.settings.nBest,
            lengthPenalty: job.settings.lengthPenalty,
          },
          image,
        };
      }
    }
  }
  return results;
}

async function prepare(source: Source, model: CaptionModel, limits: Partial<ImageLimits>): Promise<Prepared> {
  if ('tensor' in source) return { tensor: source.tensor, image: null };
  const { tensor, info } = await preprocessImage(source.bytes, model.manifest.image, limits);
  return { tensor, image: { mime: info.mime, width: info.width, height: info.height } };
}

// Images given to several models are recognised by content, so callers need not pass the same objects.
function contentKeys(): (bytes: Uint8Array) => string {
  const seen = new Map<Uint8Array, string>();
  return (bytes) => {
    let key = seen.get(bytes);
    if (key === undefined) {
      key = `sha256 ${createHash('sha256').update(bytes).digest('hex')}`;
      seen.set(bytes, key);
    }
    return key;
  };
}
