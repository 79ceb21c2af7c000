// Helpers for this package's tests: temporary data directories the postgres user can enter, and
// small valid rows to build on. Not part of the build.
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Database } from './open-database.js';
import type { CaptionRecord, ImageRecord, ModelRecord, NewImage } from './types.js';

/** The repository's migrations, from this file in src/ (the tests run from the sources only). */
export const migrationsDir = fileURLToPath(new URL('../../../prisma/migrations', import.meta.url));

/** A fresh directory under the OS temp dir (0700; openDatabase makes it enterable for "postgres"). */
export async function makeTempDir(prefix = 'captioner-db-test-'): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), prefix));
}

export async function removeDir(dir: string): Promise<void> {
  await fs.rm(dir, { recursive: true, force: true });
}

/** Distinct image bytes each call (the content only has to hash differently). */
export function imageInput(overrides: Partial<NewImage> = {}): NewImage {
  return {
    bytes: randomBytes(64),
    mime: 'image/png',
    width: 64,
    height: 48,
    thumbnail: randomBytes(16),
    source: 'dataset',
    dataset: 'shapes',
    split: 'test',
    filename: `img-${randomBytes(4).toString('hex')}.png`,
    ...overrides,
  };
}

export const sha256Of = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

export function manifest(id: string, variant: 'lstm' | 'attention' = 'lstm') {
  return {
    format: 1,
    id,
    variant,
    dataset: { name: 'shapes', splits: { train: 6000, val: 1000, test: 1000 } },
    params: { trainable: 1000, frozen: 10, total: 1010 },
    metrics: { test: { loss: 1.5, bleu: [0.7, 0.5, 0.4, 0.3], decode: { beamSize: 3, maxLength: 20 } } },
    maxLength: 20,
  };
}

export async function addModel(db: Database, id: string, variant: 'lstm' | 'attention' = 'lstm'): Promise<ModelRecord> {
  return db.models.upsertFromManifest(manifest(id, variant));
}

export async function addImage(db: Database, overrides: Partial<NewImage> = {}): Promise<ImageRecord> {
  return (await db.images.upsertBySha256(imageInput(overrides))).image;
}

export async function addCaption(
  db: Database,
  imageId: string,
  modelId: string,
  overrides: { text?: string; sentenceBleu?: number | null; beamSize?: number } = {},
): Promise<CaptionRecord> {
  const text = overrides.text ?? 'a red circle above a blue square';
  const tokens = text.split(' ');
  return db.captions.save({
    imageId,
    modelId,
    settings: { beamSize: overrides.beamSize ?? 3, maxLength: 20 },
    text,
    tokens,
    tokenIds: tokens.map((_, index) => index + 4),
    logProb: -3.25,
    nBest: [{ text, tokens, logProb: -3.25, score: -0.46 }],
    attention: null,
    sentenceBleu: overrides.sentenceBleu === undefined ? 0.5 : overrides.sentenceBleu,
    latencyMs: 12.5,
  });
}
