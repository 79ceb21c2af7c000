// A loaded captioning model: manifest, vocabulary and ONNX sessions, and caption() which runs
// preprocessing, the encoder, init and the batched decoder.
import { performance } from 'node:perf_hooks';

import ort from 'onnxruntime-node';

import { search, type RawHypothesis, type StepFunction } from './decode.js';
import { resolveDecodeOptions, type DecodeOptions, type DecodeSettings } from './decode-options.js';
import type { ExecutionProviderName } from './execution.js';
import type { ModelGraphs } from './graphs.js';
import { preprocessImage, type ImageInfo, type ImageLimits } from './image.js';
import type { Manifest, Variant } from './manifest.js';
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

export class CaptionModel {
  readonly id: string;
  readonly variant: Variant;
  readonly executionProvider: ExecutionProviderName;
  private released = false;

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
  }

  /** The normalised [3, H, W] input tensor of one image. */
  async preprocess(bytes: Uint8Array, limits: Partial<ImageLimits> = {}): Promise<Float32Array> {
    return (await preprocessImage(bytes, this.manifest.image, { ...this.defaults.imageLimits, ...limits })).tensor;
  }

  /** Captions images (encoded bytes); one result per image, in order. */
  async caption(images: readonly Uint8Array[], options: DecodeOptions = {}): Promise<CaptionResult[]> {
    const start = performance.now();
    const settings = resolveDecodeOptions(options, this.manifest.maxLength);
    const limits = { ...this.defaults.imageLimits, ...options.imageLimits };
    // Decoded chunk by chunk, so a long list never holds more than one chunk of decoded images.
    return this.decodeAll(images.length, settings, start, async (first, end) => {
      const prepared = await Promise.all(
        images.slice(first, end).map((bytes) => preprocessImage(bytes, this.manifest.image, limits)),
      );
      return prepared.map(({ tensor, info }) => ({
        tensor,
        image: { mime: info.mime, width: info.width, height: info.height },
      }));
    });
  }

  /** Captions already preprocessed [3, H, W] tensors (see preprocess()). */
  async captionTensors(tensors: readonly Float32Array[], options: DecodeOptions = {}): Promise<CaptionResult[]> {
    const start = performance.now();
    const settings = resolveDecodeOptions(options, this.manifest.maxLength);
    const expected = 3 * this.manifest.image.height * this.manifest.image.width;
    tensors.forEach((tensor, i) => {
      if (tensor.length !== expected) {
        throw new TypeError(
          `tensor ${i} has ${tensor.length} values, model "${this.id}" needs 3 x ${this.manifest.image.height} x ${this.manifest.image.width} = ${expected}`,
        );
      }
    });
    return this.decodeAll(tensors.length, settings, start, async (first, end) =>
      tensors.slice(first, end).map((tensor) => ({ tensor, image: null })),
    );
  }

  /**
   * The next-token log-probabilities [vocab] for one image after start + prefix tokens (teacher
   * forced): for inspecting a model, e.g. comparing a step with PyTorch.
   */
  async nextTokenLogprobs(image: Uint8Array, prefix: readonly number[] = []): Promise<Float32Array> {
    if (this.released) throw new Error(`model "${this.id}" was disposed; load it again with loadModel()`);
    const tensor = await this.preprocess(image);
    const step = await this.startDecoding([tensor]);
    const row = Int32Array.of(0);
    let out = await step(BigInt64Array.of(BigInt(this.manifest.specials.start)), row, row);
    for (const token of prefix) out = await step(BigInt64Array.of(BigInt(token)), row, row);
    return out.logprobs.slice(0, out.vocabSize);
  }

  async dispose(): Promise<void> {
    if (this.released) return;
    this.released = true;
    this.onDispose();
    await Promise.all([this.graphs.encoder.release(), this.graphs.init.release(), this.graphs.step.release()]);
  }

  private async decodeAll(
    count: number,
    settings: DecodeSettings,
    start: number,
    prepare: (first: number, end: number) => Promise<{ tensor: Float32Array; image: CaptionResult['image'] }[]>,
  ): Promise<CaptionResult[]> {
    if (this.released) throw new Error(`model "${this.id}" was disposed; load it again with loadModel()`);
    const results: CaptionResult[] = [];
    for (let first = 0; first < count; first += this.defaults.maxBatchSize) {
      const chunk = await prepare(first, Math.min(count, first + this.defaults.maxBatchSize));
      const finishedAt: number[] = [];
      const hypotheses = await this.decodeBatch(
        chunk.map((c) => c.tensor),
        settings,
        (image) => (finishedAt[image] = performance.now()),
      );
      hypotheses.forEach((nBest, i) => {
        const described = nBest.map((h) => this.describe(h));
        results.push({
          ...described[0]!,
          nBest: described,
          latencyMs: (finishedAt[i] ?? performance.now()) - start,
          decode: {
            beamSize: settings.beamSize,
            maxLength: settings.maxLength,
            nBest: settings.nBest,
            lengthPenalty: settings.lengthPenalty,
          },
          image: chunk[i]!.image,
        });
      });
    }
    return results;
  }

  private async decodeBatch(
    tensors: readonly Float32Array[],
    settings: DecodeSettings,
    onImageDone: (image: number) => void,
  ): Promise<RawHypothesis[][]> {
    const step = await this.startDecoding(tensors);
    return search(step, {
      imageCount: tensors.length,
      settings,
      startToken: this.manifest.specials.start,
      endToken: this.manifest.specials.end,
      onImageDone,
    });
  }

  // Encoder and init over a batch of images; returns the step function holding their state.
  private async startDecoding(tensors: readonly Float32Array[]): Promise<StepFunction> {
    const { height, width } = this.manifest.image;
    const plane = 3 * height * width;
    const batch = new Float32Array(tensors.length * plane);
    tensors.forEach((tensor, i) => batch.set(tensor, i * plane));
    const { features } = await this.graphs.encoder.run({
      image: new ort.Tensor('float32', batch, [tensors.length, 3, height, width]),
    });
    const { h, c } = await this.graphs.init.run({ features: features! });
    return makeStepFunction(this.graphs.step, { h: h!, c: c!, features: features! });
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
