// Where this package keeps the small "shapes" models its tests (and other packages' tests) run on.
// They are test fixtures, not served models: the service's models live in the repository's models/.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Ids of the fixture models in fixtureModelsDir(). */
export const FIXTURE_MODELS = ['shapes-lstm', 'shapes-attention'] as const;
export type FixtureModelId = (typeof FIXTURE_MODELS)[number];

/** packages/model/fixtures: a models directory holding shapes-lstm and shapes-attention (format 1). */
export function fixtureModelsDir(): string {
  // The same relative path from src/ (tsx) and dist/ (built).
  return fileURLToPath(new URL('../fixtures', import.meta.url));
}

/** The directory of one fixture model. */
export function fixtureModelDir(id: FixtureModelId): string {
  return path.join(fixtureModelsDir(), id);
}
