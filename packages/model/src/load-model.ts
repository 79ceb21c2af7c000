// Finds and loads a model directory once: manifest, vocabulary and ONNX sessions are validated up
// front so a broken export fails at start-up with a clear message, not on the first request.
import { createHash } from 'node:crypto';
import { access, readdir, readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';

import { CaptionerError } from './errors.js';
import type { ExecutionOptions, Logger } from './execution.js';
import { graphFiles, openGraphs } from './graphs.js';
import { DEFAULT_IMAGE_LIMITS, type ImageLimits } from './image.js';
import { validateManifest, type Manifest } from './manifest.js';
import { CaptionModel } from './model.js';

export interface LoadOptions extends ExecutionOptions {
  /** Where ids are looked up; without it only directory paths are accepted. */
  modelsDir?: string;
  /** Default limits for caption(). */
  imageLimits?: Partial<ImageLimits>;
  /** Images per encoder/step batch; larger caption() calls are split. Default 32. */
  maxBatchSize?: number;
  logger?: Logger;
}

/** Ids of the model directories (sub-folders with a manifest.json) under modelsDir, sorted. */
export async function listModels(modelsDir: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(modelsDir, { withFileTypes: true });
  } catch {
    return [];
  }
  const ids: string[] = [];
  for (const entry of entries) {
    if (!entry.isDirectory()) continue;
    if (await isFile(path.join(modelsDir, entry.name, 'manifest.json'))) ids.push(entry.name);
  }
  return ids.sort();
}

const cache = new Map<string, Promise<CaptionModel>>();

/**
 * Loads (once) and validates a model directory, given as a path or an id under modelsDir. Callers asking for the
 * same model share one instance; each disposes it once, and the last dispose releases its sessions.
 */
export async function loadModel(dirOrId: string, options: LoadOptions = {}): Promise<CaptionModel> {
  const execution: ExecutionOptions = definedOnly(options);
  const dir = await resolveModelDir(dirOrId, options.modelsDir);
  const maxBatchSize = options.maxBatchSize ?? 32;
  if (!Number.isInteger(maxBatchSize) || maxBatchSize < 1)
    throw new TypeError(`maxBatchSize must be a positive integer, got ${maxBatchSize}`);
  const imageLimits = { ...DEFAULT_IMAGE_LIMITS, ...options.imageLimits };
  const key = JSON.stringify([
    dir,
    execution.executionProvider ?? 'cpu',
    execution.cudaDeviceId,
    execution.intraOpNumThreads,
    execution.interOpNumThreads,
    imageLimits,
    maxBatchSize,
  ]);
  let loading = cache.get(key);
  if (!loading) {
    loading = load(dir, execution, { imageLimits, maxBatchSize }, options.logger ?? console, () => cache.delete(key));
    cache.set(key, loading);
    loading.catch(() => cache.delete(key));
  }
  return (await loading).retain();
}

async function load(
  dir: string,
  execution: ExecutionOptions,
  defaults: { imageLimits: ImageLimits; maxBatchSize: number },
  logger: Logger,
  onDispose: () => void,
): Promise<CaptionModel> {
  const manifest = validateManifest(
    await readJson(path.join(dir, 'manifest.json'), 'manifest'),
    path.join(dir, 'manifest.json'),
  );
  const hashes = await verifyChecksums(dir, manifest);
  const vocabFile = path.join(dir, manifest.vocab);
  const vocab = await readJson(vocabFile, 'vocabulary');
  if (!Array.isArray(vocab) || !vocab.every((token) => typeof token === 'string')) {
    throw new CaptionerError(
      'MODEL_FILE_CORRUPT',
      `${vocabFile} must be a JSON array of token strings. Re-export the model.`,
      { details: { file: vocabFile } },
    );
  }
  const largestSpecial = Math.max(...Object.values(manifest.specials));
  if (largestSpecial >= vocab.length) {
    throw new CaptionerError(
      'MODEL_MANIFEST_INVALID',
      `The manifest's special token ids go up to ${largestSpecial} but ${vocabFile} has only ${vocab.length} tokens. Re-export the model.`,
    );
  }
  await checkGraphFilesExist(dir, manifest);
  const encoderSha256 =
    hashes.get(manifest.files.encoder) ?? (await sha256Of(path.resolve(dir, manifest.files.encoder)));
  const graphs = await openGraphs(dir, manifest, encoderSha256, vocab.length, execution, logger);
  return new CaptionModel(dir, manifest, vocab as string[], graphs, defaults, onDispose);
}

async function checkGraphFilesExist(dir: string, manifest: Manifest): Promise<void> {
  for (const [graph, file] of Object.entries(graphFiles(dir, manifest))) {
    try {
      await access(file);
    } catch {
      throw missingGraph(dir, manifest, graph, file);
    }
  }
}

function missingGraph(dir: string, manifest: Manifest, graph: string, file: string): CaptionerError {
  const shared = graph === 'encoder' && path.basename(manifest.files.encoder) !== manifest.files.encoder;
  return new CaptionerError(
    'MODEL_FILE_MISSING',
    shared
      ? `The shared encoder ${file} (manifest files.encoder "${manifest.files.encoder}", relative to ${dir}) does not exist. python3 -m training export writes it to the encoders/ folder beside the model directories; copy that folder with the model, or re-export.`
      : `The ${graph} graph ${file} (manifest files.${graph}) does not exist. Re-export the model (python3 -m training export) or fix the manifest.`,
    { details: { file } },
  );
}

// A damaged or swapped file is reported as such instead of surfacing later as odd captions. Returns
// the hashes it computed, by manifest name.
async function verifyChecksums(dir: string, manifest: Manifest): Promise<Map<string, string>> {
  const hashes = new Map<string, string>();
  for (const [name, expected] of Object.entries(manifest.sha256 ?? {})) {
    const file = path.resolve(dir, name);
    let actual: string;
    try {
      actual = await sha256Of(file);
    } catch {
      if (name === manifest.files.encoder) throw missingGraph(dir, manifest, 'encoder', file);
      throw new CaptionerError(
        'MODEL_FILE_MISSING',
        `${file} (listed in manifest.json sha256) is missing. Re-export the model (python3 -m training export).`,
        { details: { file } },
      );
    }
    if (actual !== expected.toLowerCase()) {
      throw new CaptionerError(
        'MODEL_FILE_CORRUPT',
        `${file} does not match the sha256 recorded in manifest.json (expected ${expected}, got ${actual}); the file is damaged or was replaced. Re-export or re-download the model.`,
        { details: { file, expected, actual } },
      );
    }
    hashes.set(name, actual);
  }
  return hashes;
}

async function sha256Of(file: string): Promise<string> {
  return createHash('sha256')
    .update(await readFile(file))
    .digest('hex');
}

async function resolveModelDir(dirOrId: string, modelsDir: string | undefined): Promise<string> {
  const looksLikePath = dirOrId.includes('/') || dirOrId.includes(path.sep) || dirOrId.startsWith('.');
  const underModelsDir = !looksLikePath && modelsDir !== undefined ? path.join(modelsDir, dirOrId) : undefined;
  const candidates = [path.resolve(dirOrId), ...(underModelsDir ? [underModelsDir] : [])];
  for (const candidate of candidates) {
    if (await isDirectory(candidate)) {
      if (!(await isFile(path.join(candidate, 'manifest.json'))) && candidate !== candidates.at(-1)) continue;
      return realpath(candidate);
    }
  }
  if (modelsDir === undefined) {
    throw new CaptionerError(
      'MODEL_NOT_FOUND',
      `No model directory "${dirOrId}"` +
        (looksLikePath ? '.' : '. To load a model by id, pass modelsDir (the folder holding the model directories).'),
      { details: { model: dirOrId, available: [] } },
    );
  }
  const available = await listModels(modelsDir);
  throw new CaptionerError(
    'MODEL_NOT_FOUND',
    `No model directory "${dirOrId}"${underModelsDir ? ` (nor ${underModelsDir})` : ''}. ` +
      (available.length > 0
        ? `Available models in ${modelsDir}: ${available.join(', ')}.`
        : `No models found in ${modelsDir}; export one with python3 -m training export.`),
    { details: { model: dirOrId, available } },
  );
}

async function readJson(file: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new CaptionerError(
      'MODEL_FILE_MISSING',
      `The ${what} file ${file} is missing. Re-export the model (python3 -m training export).`,
      { details: { file } },
    );
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new CaptionerError(
      'MODEL_FILE_CORRUPT',
      `The ${what} file ${file} is not valid JSON (${(error as Error).message}). Re-export the model.`,
      {
        details: { file },
        cause: error,
      },
    );
  }
}

async function isDirectory(p: string): Promise<boolean> {
  return stat(p).then(
    (s) => s.isDirectory(),
    () => false,
  );
}
async function isFile(p: string): Promise<boolean> {
  return stat(p).then(
    (s) => s.isFile(),
    () => false,
  );
}

function definedOnly(options: ExecutionOptions): ExecutionOptions {
  const out: ExecutionOptions = {};
  if (options.executionProvider !== undefined) out.executionProvider = options.executionProvider;
  if (options.cudaDeviceId !== undefined) out.cudaDeviceId = options.cudaDeviceId;
  if (options.intraOpNumThreads !== undefined) out.intraOpNumThreads = options.intraOpNumThreads;
  if (options.interOpNumThreads !== undefined) out.interOpNumThreads = options.interOpNumThreads;
  return out;
}
