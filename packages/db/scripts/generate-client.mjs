// Generates Prisma Client from prisma/schema.prisma into packages/db/generated, offline.
// The Prisma CLI wants to download its Rust schema engine even for `generate`, which only needs the
// bundled WASM; pointing PRISMA_SCHEMA_ENGINE_BINARY at any existing file stops the download (the
// file is never executed). Migrations are applied by src/migrations.ts, not by the Prisma CLI.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const schema = path.resolve(packageDir, '../../prisma/schema.prisma');
const require = createRequire(import.meta.url);
const prismaCli = path.join(path.dirname(require.resolve('prisma/package.json')), 'build/index.js');

const result = spawnSync(process.execPath, [prismaCli, 'generate', '--schema', schema], {
  cwd: packageDir,
  stdio: 'inherit',
  env: {
    ...process.env,
    PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? fileURLToPath(import.meta.url),
    PRISMA_HIDE_UPDATE_MESSAGE: '1',
    CHECKPOINT_DISABLE: '1',
    PRISMA_GENERATE_SKIP_AUTOINSTALL: '1',
  },
});
if (result.status !== 0) {
  console.error(`prisma generate failed (exit ${result.status ?? result.signal}); see the output above.`);
  process.exit(result.status ?? 1);
}
