// Encoders shared between models (models/README.md, format 2): models whose encoder files have the same
// content (sha256) and whose `image` blocks are equal get one SharedEncoder, so the graph is loaded once per
// process (per execution settings) and captionWithModels() runs it once per image for all of them.
import ort from 'onnxruntime-node';

import { createFirstSession, type ExecutionOptions, type ExecutionProviderName, type Logger } from './execution.js';
import type { ImageSpec } from './image.js';

/** What a model's `encoder` tells about the (possibly shared) encoder it uses. */
export interface EncoderInfo {
  /** The file the session was created from (the first model's path to it). */
  readonly file: string;
  /** Content hash of that file: models share an encoder only when these (and the image specs) are equal. */
  readonly sha256: string;
  readonly image: ImageSpec;
  readonly executionProvider: ExecutionProviderName;
  /** Loaded models using this encoder. */
  readonly users: number;
  /** Encoder graph calls so far (one per batch of images). */
  readonly runs: number;
  /** Images encoded so far, over all calls. */
  readonly imagesEncoded: number;
}

export class SharedEncoder implements EncoderInfo {
  private runCount = 0;
  private imageCount = 0;
  private userCount = 0;
  private closed = false;

  constructor(
    readonly key: string,
    readonly file: string,
    readonly sha256: string,
    readonly image: ImageSpec,
    readonly executionProvider: ExecutionProviderName,
    readonly session: ort.InferenceSession,
  ) {}

  get released(): boolean {
    return this.closed;
  }
  get users(): number {
    return this.userCount;
  }
  get runs(): number {
    return this.runCount;
  }
  get imagesEncoded(): number {
    return this.imageCount;
  }

  /** Encodes normalised [3, H, W] tensors in one call; returns `features` [N, P, D]. */
  async encode(tensors: readonly Float32Array[]): Promise<ort.Tensor> {
    if (this.closed) throw new Error(`the encoder ${this.file} was released; load the model again with loadModel()`);
    const { height, width } = this.image;
    const plane = 3 * height * width;
    const batch = new Float32Array(tensors.length * plane);
    tensors.forEach((tensor, i) => {
      if (tensor.length !== plane)
        throw new TypeError(`tensor ${i} has ${tensor.length} values, the encoder needs 3 x ${height} x ${width}`);
      batch.set(tensor, i * plane);
    });
    this.runCount++;
    this.imageCount += tensors.length;
    const { features } = await this.session.run({
      image: new ort.Tensor('float32', batch, [tensors.length, 3, height, width]),
    });
    return features!;
  }

  /** @internal registry bookkeeping */
  addUser(): void {
    this.userCount++;
  }

  /** Called by each model's dispose(); the session is released with the last user. */
  async release(): Promise<void> {
    if (this.closed || --this.userCount > 0) return;
    this.closed = true;
    if (registry.get(this.key)?.encoder === this) registry.delete(this.key);
    await this.session.release();
  }
}

interface Entry {
  loading: Promise<SharedEncoder>;
  encoder?: SharedEncoder;
}

const registry = new Map<string, Entry>();

export interface AcquireEncoderOptions {
  file: string;
  sha256: string;
  image: ImageSpec;
  execution: ExecutionOptions;
  logger: Logger;
}

/**
 * The encoder for this content hash, image spec and execution settings: created on first use, shared
 * afterwards. Every call adds a user that must call release() once.
 */
export async function acquireEncoder(options: AcquireEncoderOptions): Promise<SharedEncoder> {
  const { execution } = options;
  const key = JSON.stringify([
    options.sha256,
    imageSpecKey(options.image),
    execution.executionProvider ?? 'cpu',
    execution.cudaDeviceId,
    execution.intraOpNumThreads,
    execution.interOpNumThreads,
  ]);
  for (;;) {
    let entry = registry.get(key);
    if (!entry) {
      const created: Entry = {
        loading: createFirstSession(options.file, execution, options.logger).then(({ session, provider }) => {
          created.encoder = new SharedEncoder(key, options.file, options.sha256, options.image, provider, session);
          return created.encoder;
        }),
      };
      created.loading.catch(() => {
        if (registry.get(key) === created) registry.delete(key);
      });
      registry.set(key, created);
      entry = created;
    }
    const encoder = await entry.loading;
    // Its last user may have released it while we waited: then load a fresh one.
    if (encoder.released) continue;
    encoder.addUser();
    return encoder;
  }
}

/** The fields of an image block that decide the encoder's input, in a fixed order. */
export function imageSpecKey(image: ImageSpec): string {
  return JSON.stringify([image.height, image.width, image.mean, image.std, image.resize]);
}
