// Which models the benchmark runs: ids looked up in the repository's models/ (the benchmark runs from a
// checkout, it is not part of the package) and then among packages/model's fixtures, or directories.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { fixtureModelsDir } from '../src/index.js';

const SHIPPED_MODELS_DIR = fileURLToPath(new URL('../../../models', import.meta.url));

export const FLICKR8K = ['flickr8k-lstm', 'flickr8k-attention'];
export const SHAPES = ['shapes-lstm', 'shapes-attention'];

export function modelDir(idOrDir: string): string {
  if (idOrDir.includes('/')) return path.resolve(idOrDir);
  for (const root of [SHIPPED_MODELS_DIR, fixtureModelsDir()]) {
    const dir = path.join(root, idOrDir);
    if (existsSync(path.join(dir, 'manifest.json'))) return dir;
  }
  throw new Error(`no model "${idOrDir}" in ${SHIPPED_MODELS_DIR} or ${fixtureModelsDir()}`);
}

/** The Flickr8k models when exported, else the shapes fixtures. */
export function defaultModels(): string[] {
  const present = FLICKR8K.every((id) => existsSync(path.join(SHIPPED_MODELS_DIR, id, 'manifest.json')));
  return present ? FLICKR8K : SHAPES;
}
