// The typed manifest.json of a model directory (formats 1 and 2, models/README.md) and its validation.
// Validation lists every problem at once so whoever exported a broken model can fix it in one go.
import path from 'node:path';

import { isWholeNumberIn, MAX_LENGTH } from './decode-limits.js';
import { CaptionerError } from './errors.js';
import type { ImageSpec } from './image.js';

export type Variant = 'lstm' | 'attention';

export interface SplitMetrics {
  loss: number;
  /** BLEU-1..4 */
  bleu: [number, number, number, number];
  /** CIDEr-D of the same decoded captions; absent in manifests exported before it was measured. */
  cider?: number;
  /** ROUGE-L of the same decoded captions; absent in manifests exported before it was measured. */
  rougeL?: number;
  decode: { beamSize: number; maxLength: number };
}

export type ManifestFormat = 1 | 2;

export interface Manifest {
  format: ManifestFormat;
  id: string;
  variant: Variant;
  dataset: { name: string; splits: Record<string, number> };
  image: ImageSpec;
  grid: { rows: number; cols: number };
  vocab: string;
  specials: { pad: number; start: number; end: number; unk: number };
  maxLength: number;
  /**
   * Graph files. `init` and `step` are names inside the model directory; from format 2 on `encoder` is a
   * path relative to it that may leave it (a shared encoder, e.g. "../encoders/keras-resnet50-fp16.onnx").
   */
  files: { encoder: string; init: string; step: string };
  /**
   * Checksums of the model's files (hex sha256), verified on load, keyed by file name or, for a shared
   * encoder, by the same relative path as `files.encoder` (required then: it identifies the encoder).
   */
  sha256?: Record<string, string>;
  /** Format 2: how the weight matrices are stored ("float16": float16 initializers read through Cast). */
  weights?: 'float16' | 'float32';
  params: { trainable: number; frozen: number; total: number };
  metrics: Record<string, SplitMetrics>;
  hyperparameters: Record<string, unknown>;
}

export const SUPPORTED_MANIFEST_FORMATS: readonly ManifestFormat[] = [1, 2];

/** Checks a parsed manifest.json; `source` names the file in error messages. */
export function validateManifest(value: unknown, source: string): Manifest {
  if (!isObject(value)) {
    throw new CaptionerError('MODEL_MANIFEST_INVALID', `${source} must contain a JSON object.`);
  }
  if (!SUPPORTED_MANIFEST_FORMATS.includes(value.format as ManifestFormat)) {
    throw new CaptionerError(
      'MODEL_FORMAT_UNSUPPORTED',
      `${source} has format ${JSON.stringify(value.format)}, but this runtime reads formats ${SUPPORTED_MANIFEST_FORMATS.join(' and ')}. Re-export the model with a matching training/ version or update packages/model.`,
      { details: { format: value.format, supported: SUPPORTED_MANIFEST_FORMATS } },
    );
  }
  const format = value.format as ManifestFormat;
  const problems: string[] = [];
  const check = (ok: boolean, problem: string): void => {
    if (!ok) problems.push(problem);
  };
  const m = value;
  check(isNonEmptyString(m.id), '`id` must be a non-empty string');
  check(m.variant === 'lstm' || m.variant === 'attention', '`variant` must be "lstm" or "attention"');

  const image = m.image;
  if (isObject(image)) {
    check(
      isPositiveInt(image.height) && isPositiveInt(image.width),
      '`image.height` and `image.width` must be positive integers',
    );
    check(isNumberArray(image.mean, 3), '`image.mean` must be 3 numbers (RGB)');
    check(
      isNumberArray(image.std, 3) && (image.std as number[]).every((s) => s > 0),
      '`image.std` must be 3 positive numbers (RGB)',
    );
    check(image.resize === 'fill', '`image.resize` must be "fill" (the only rule format 1 defines)');
  } else problems.push('`image` must be an object');

  const grid = m.grid;
  if (isObject(grid)) {
    check(
      isPositiveInt(grid.rows) && isPositiveInt(grid.cols),
      '`grid.rows` and `grid.cols` must be positive integers',
    );
    // Format 2 lets an lstm model use a shared encoder's grid (it averages the regions in init).
    if (m.variant === 'lstm' && format === 1)
      check(grid.rows === 1 && grid.cols === 1, '`grid` must be 1 x 1 for the lstm variant in format 1');
  } else problems.push('`grid` must be an object');

  check(isFileName(m.vocab), '`vocab` must be a file name inside the model directory');
  const specials = m.specials;
  if (isObject(specials)) {
    for (const key of ['pad', 'start', 'end', 'unk']) {
      check(isNonNegativeInt(specials[key]), `\`specials.${key}\` must be a token id (integer >= 0)`);
    }
  } else problems.push('`specials` must be an object with pad, start, end, unk');
  // The default decode length, so it must be one a caller could ask for.
  check(
    isWholeNumberIn(m.maxLength, MAX_LENGTH),
    `\`maxLength\` must be an integer from ${MAX_LENGTH.min} to ${MAX_LENGTH.max}`,
  );

  const files = m.files;
  let encoder: string | null = null;
  if (isObject(files)) {
    if (format === 1)
      check(isFileName(files.encoder), '`files.encoder` must be a file name inside the model directory');
    else if (isRelativePath(files.encoder)) encoder = files.encoder;
    else
      problems.push(
        '`files.encoder` must be a relative path from the model directory (e.g. "encoder.onnx" or "../encoders/<name>.onnx"), with / separators',
      );
    for (const key of ['init', 'step']) {
      check(isFileName(files[key]), `\`files.${key}\` must be a file name inside the model directory`);
    }
  } else problems.push('`files` must be an object with encoder, init, step');

  if (m.sha256 !== undefined) {
    check(
      isObject(m.sha256) &&
        Object.entries(m.sha256).every(
          ([name, hash]) =>
            (isFileName(name) || name === encoder) && typeof hash === 'string' && /^[0-9a-f]{64}$/i.test(hash),
        ),
      '`sha256` must map file names in the model directory (or the path in `files.encoder`) to hex SHA-256 digests',
    );
  }
  // An encoder outside the directory is shared: its checksum is how models and people tell it apart.
  if (encoder !== null && !isFileName(encoder)) {
    check(
      isObject(m.sha256) && typeof m.sha256[encoder] === 'string',
      `\`sha256\` must have an entry for the shared encoder "${encoder}" (the same relative path as \`files.encoder\`)`,
    );
  }
  if (m.weights !== undefined)
    check(m.weights === 'float16' || m.weights === 'float32', '`weights` must be "float16" or "float32"');
  if (m.dataset !== undefined)
    check(isObject(m.dataset) && isNonEmptyString(m.dataset.name), '`dataset.name` must be a string');
  if (m.params !== undefined) check(isObject(m.params), '`params` must be an object');
  if (m.metrics !== undefined) {
    if (isObject(m.metrics)) {
      for (const [split, metrics] of Object.entries(m.metrics)) {
        check(
          isObject(metrics) && isNumberArray(metrics.bleu, 4),
          `\`metrics.${split}.bleu\` must be 4 numbers (BLEU-1..4)`,
        );
        for (const key of ['cider', 'rougeL']) {
          const value = isObject(metrics) ? metrics[key] : undefined;
          check(
            value === undefined || (typeof value === 'number' && Number.isFinite(value)),
            `\`metrics.${split}.${key}\` must be a number when present`,
          );
        }
      }
    } else problems.push('`metrics` must be an object');
  }

  if (problems.length > 0) {
    throw new CaptionerError(
      'MODEL_MANIFEST_INVALID',
      `${source} is not a valid format ${format} manifest: ${problems.join('; ')}. See models/README.md for the contract.`,
      { details: { problems } },
    );
  }
  // Optional informational sections default to empty so callers need no checks.
  return {
    dataset: { name: 'unknown', splits: {} },
    params: { trainable: 0, frozen: 0, total: 0 },
    metrics: {},
    hyperparameters: {},
    ...(m as object),
  } as Manifest;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
function isNonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0;
}
function isPositiveInt(value: unknown): boolean {
  return Number.isInteger(value) && (value as number) > 0;
}
function isNonNegativeInt(value: unknown): boolean {
  return Number.isInteger(value) && (value as number) >= 0;
}
function isNumberArray(value: unknown, length: number): boolean {
  return (
    Array.isArray(value) && value.length === length && value.every((v) => typeof v === 'number' && Number.isFinite(v))
  );
}
// A plain name, so a manifest cannot point outside its own directory.
function isFileName(value: unknown): value is string {
  return isNonEmptyString(value) && path.basename(value) === value && value !== '.' && value !== '..';
}
// A normalised relative path with / separators that names a file: "encoder.onnx", "../encoders/x.onnx".
function isRelativePath(value: unknown): value is string {
  if (!isNonEmptyString(value) || value.includes('\\') || value.includes('\0')) return false;
  if (path.posix.isAbsolute(value) || path.win32.isAbsolute(value)) return false;
  const last = value.split('/').at(-1)!;
  return path.posix.normalize(value) === value && last !== '' && last !== '.' && last !== '..';
}
