// Locates the repository's prisma/migrations (the default migrationsDir), from this file's own location so it
// works from src/ (tsx) and dist/src/ (built) alike, whatever the working directory.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

function findRepoRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(path.join(dir, 'prisma', 'migrations'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) {
      throw new Error(
        `Cannot find the repository's prisma/migrations above ${fileURLToPath(import.meta.url)}; ` +
          'pass migrationsDir to openDatabase().',
      );
    }
    dir = parent;
  }
}

let cachedRoot: string | undefined;
export function repoRoot(): string {
  cachedRoot ??= findRepoRoot();
  return cachedRoot;
}

export const defaultMigrationsDir = (): string => path.join(repoRoot(), 'prisma', 'migrations');
