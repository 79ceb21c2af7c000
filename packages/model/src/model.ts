// A loaded captioning model: manifest, vocabulary and ONNX sessions, and caption() which runs
// preprocessing, the (possibly shared) encoder, init and the batched decoder. The pipeline itself is in
// caption-together.ts, which also captions with several models at once.
import ort from 'onnxruntime-node';

import { captionTogether, runCaptionJobs } from './caption-together.js';
import { search, type RawHypothesis, type StepFunction } from './decode.js';
import { resolveDecodeOptions, type DecodeOptions, type DecodeSettings } from './decode-options.js';
import type { ExecutionProviderName } from './execution.js';
import type { ModelGraphs } from './graphs.js';
import { preprocessImage, type ImageInfo, type ImageLimits } from './image.js';
import type { Manifest, Variant } from './manifest.js';
import type { EncoderInfo, SharedEncoder } from './shared-encoder.js';
import { makeStepFunction } from './step-state.js';

export interface Hypothesis {
  /** Token ids without start/end. */
  tokens: number[];
  words: string[];
  text: string;
  /** Sum of tokenLogprobs. */
  logprob: number;
  /** logprob / length^lengthPenalty: what hypotheses are ranked by. */
  score: number;
  /** Per token, plus the end token's last: always one longer than tokens. */
  tokenLogprobs: number[];
  /** Whether the model chose to end; false when the end token was forced after maxLength words. */
  ended: boolean;
  /** Attention variant: per word a grid.rows x grid.cols map of weights summing to 1. */
  attention?: number[][][];
}

export interface CaptionResult extends Hypothesis {
  /** Best first; the first entry is this result itself. */
  nBest: Hypothesis[];
  /** From the start of the caption() call until this image's caption was complete. */
  latencyMs: number;
  decode: Omit<DecodeSettings, 'strategy'>;
  image: Pick<ImageInfo, 'mime' | 'width' | 'height'> | null;
}

/** What the captioning pipeline (caption-together.ts) needs from a model; not part of the public API. */
export interface ModelInternals {
  encoder: SharedEncoder;
  defaults: { imageLimits: ImageLimits; maxBatchSize: number };
  /** Throws when the model was disposed. */
  assertUsable(): void;
  /** init + search over encoder features [N, P, D] of N images; per image its n-best list, best first. */
  decode(features: ort.Tensor, settings: DecodeSettings, onImageDone: (image: number) => void): Promise<Hypothesis[][]>;
}

const internals = new WeakMap<CaptionModel, ModelInternals>();

export function internalsOf(model: CaptionModel): ModelInternals {
  const found = internals.get(model);
  if (!found) throw new TypeError('not a CaptionModel made by loadModel()');
  return found;
}

export class CaptionModel {
  readonly id: string;
  readonly variant: Variant;
  readonly executionProvider: ExecutionProviderName;
  /** The encoder this model runs, shared with every loaded model that has the same encoder file and image spec. */
  readonly encoder: EncoderInfo;
  private released = false;
  /** loadModel() callers that have not disposed yet (the cache hands one instance to all of them). */
  private users = 0;

  constructor(
    readonly dir: string,
    readonly manifest: Manifest,
    readonly vocab: readonly string[],
    private readonly graphs: ModelGraphs,
    private readonly defaults: { imageLimits: ImageLimits; maxBatchSize: number },
    private readonly onDispose: () => void,
  ) {
    this.id = manifest.id;
    this.variant = manifest.variant;
    this.executionProvider = graphs.provider;
    this.encoder = graphs.encoder;
    internals.set(this, {
      encoder: graphs.encoder,
      defaults,
      assertUsable: () => this.assertUsable(),
      decode: (features, settings, onImageDone) => this.decode(features, settings, onImageDone),
    });
  }

  /** The normalised [3, H, W] input tensor of one image. */
  async preprocess(bytes: Uint8Array, limits: Partial<ImageLimits> = {}): Promise<Float32Array> {
    return (await preprocessImage(bytes, this.manifest.image, { ...this.defaults.imageLimits, ...limits })).tensor;
  }

  /** Captions images (encoded bytes); one result per image, in order. */
  async caption(images: readonly Uint8Array[], options: DecodeOptions = {}): Promise<CaptionResult[]> {
    return (await captionTogether([{ model: this, images, options }]))[0]!;
  }

  /** Captions already preprocessed [3, H, W] tensors (see preprocess()). */
  async captionTensors(tensors: readonly Float32Array[], options: DecodeOptions = {}): Promise<CaptionResult[]> {
    const settings = resolveDecodeOptions(options, this.manifest.maxLength);
    const expected = 3 * this.manifest.image.height * this.manifest.image.width;
    tensors.forEach((tensor, i) => {
      if (tensor.length !== expected) {
        throw new TypeError(
          `tensor ${i} has ${tensor.length} values, model "${this.id}" needs 3 x ${this.manifest.image.height} x ${this.manifest.image.width} = ${expected}`,
        );
      }
    });
    const [results] = await runCaptionJobs([
      { model: this, settings, sources: tensors.map((tensor, i) => ({ key: `tensor ${i}`, tensor })) },
    ]);
    return results!;
  }

  /**
   * The next-token log-probabilities [vocab] for one image after start + prefix tokens (teacher
   * forced): for inspecting a model, e.g. comparing a step with PyTorch.
   */
  async nextTokenLogprobs(image: Uint8Array, prefix: readonly number[] = []): Promise<Float32Array> {
    this.assertUsable();
    const features = await this.graphs.encoder.encode([await this.preprocess(image)]);
    const step = await this.startDecoding(features);
    const row = Int32Array.of(0);
    let out = await step(BigInt64Array.of(BigInt(this.manifest.specials.start)), row, row);
    for (const token of prefix) out = await step(BigInt64Array.of(BigInt(token)), row, row);
    return out.logprobs.slice(0, out.vocabSize);
  }

  /** Counts one more loadModel() caller; each must dispose() once, and the last one releases the sessions. */
  retain(): this {
    this.assertUsable();
    this.users += 1;
    return this;
  }

  /** Gives up this caller's use; the sessions are released when every loadModel() caller has disposed. */
  async dispose(): Promise<void> {
    if (this.released) return;
    if (--this.users > 0) return;
    this.released = true;
    this.onDispose();
    await Promise.all([this.graphs.encoder.release(), this.graphs.init.release(), this.graphs.step.release()]);
  }

  private assertUsable(): void {
    if (this.released) throw new Error(`model "${this.id}" was disposed; load it again with loadModel()`);
  }

  private async decode(
    features: ort.Tensor,
    settings: DecodeSettings,
    onImageDone: (image: number) => void,
  ): Promise<Hypothesis[][]> {
    const step = await this.startDecoding(features);
    const raw = await search(step, {
      imageCount: features.dims[0]!,
      settings,
      startToken: this.manifest.specials.start,
      endToken: this.manifest.specials.end,
      onImageDone,
    });
    return raw.map((nBest) => nBest.map((h) => this.describe(h)));
  }

  // init over the features of a batch of images; returns the step function holding their state. Every
  // init output besides h and c (format 2, e.g. `projected`) is a per-image constant of the step graph.
  private async startDecoding(features: ort.Tensor): Promise<StepFunction> {
    const { h, c, ...extras } = await this.graphs.init.run({ features });
    const constants: Record<string, ort.Tensor> = { features };
    for (const name of this.graphs.stepConstants) if (name !== 'features') constants[name] = extras[name]!;
    return makeStepFunction(this.graphs.step, { h: h!, c: c!, constants });
  }

  private describe(h: RawHypothesis): Hypothesis {
    const words = h.tokens.map((token) => this.vocab[token] ?? this.vocab[this.manifest.specials.unk] ?? '<unk>');
    const hypothesis: Hypothesis = {
      tokens: h.tokens,
      words,
      text: words.join(' '),
      logprob: h.logprob,
      score: h.score,
      tokenLogprobs: h.tokenLogprobs,
      ended: h.ended,
    };
    if (this.variant === 'attention') {
      const { rows, cols } = this.manifest.grid;
      hypothesis.attention = h.alphas.map((alpha) =>
        Array.from({ length: rows }, (_, r) => Array.from(alpha.subarray(r * cols, (r + 1) * cols))),
      );
    }
    return hypothesis;
  }
}
