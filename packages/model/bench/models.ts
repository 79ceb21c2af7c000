// Which models the benchmark runs: ids looked up in the models directory (CAPTIONER_MODELS_DIR or the
// repository's models/) and then among packages/model's fixtures, or directories.
import { existsSync } from 'node:fs';
import path from 'node:path';

import { defaultModelsDir, fixtureModelsDir } from '../src/index.js';

export const FLICKR8K = ['flickr8k-lstm', 'flickr8k-attention'];
export const SHAPES = ['shapes-lstm', 'shapes-attention'];

export function modelDir(idOrDir: string): string {
  if (idOrDir.includes('/')) return path.resolve(idOrDir);
  for (const root of [defaultModelsDir(), fixtureModelsDir()]) {
    const dir = path.join(root, idOrDir);
    if (existsSync(path.join(dir, 'manifest.json'))) return dir;
  }
  throw new Error(`no model "${idOrDir}" in ${defaultModelsDir()} or ${fixtureModelsDir()}`);
}

/** The Flickr8k models when exported, else the shapes fixtures. */
export function defaultModels(): string[] {
  const present = FLICKR8K.every((id) => existsSync(path.join(defaultModelsDir(), id, 'manifest.json')));
  return present ? FLICKR8K : SHAPES;
}
