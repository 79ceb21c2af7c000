// Resolves a dataset path given to importDataset and makes sure it stays under the import root, after following
// symlinks too: a link inside the root that points elsewhere must not open the rest of the server's disk.
import { realpath } from 'node:fs/promises';
import path from 'node:path';
import { badInput } from '../errors.js';

const isInside = (root: string, target: string) => {
  const relative = path.relative(root, target);
  return !relative.startsWith('..') && !path.isAbsolute(relative);
};

export async function insideImportRoot(importRoot: string, given: string): Promise<string> {
  const outside = () =>
    badInput(
      `Path ${given} is outside the import root ${importRoot}; move the dataset there or set CAPTIONER_IMPORT_ROOT.`,
      'path',
    );
  const resolved = path.resolve(importRoot, given);
  if (!isInside(importRoot, resolved)) throw outside();
  // A path that does not exist yet is reported by the format detection that follows.
  const real = await realpath(resolved).catch(() => null);
  if (real !== null && !isInside(await realpath(importRoot), real)) throw outside();
  return resolved;
}
