// The whole product for a browser test: a synthetic shapes dataset in a temp dir, the real API on an embedded
// PostgreSQL in that dir with the shapes fixture models, the dataset imported and captioned by both models, and the
// built Next.js app (apps/web/server.mjs) in front of it.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fixtureModelsDir } from '../model-dirs.js';
import { generousRateLimits } from '../generous-rate-limits.js';
import { gql, waitUntil } from './graphql.js';
import { freePort, startServer, waitFor, type Server } from './processes.js';
import { graphql } from '../generated/index.js';

export const repoRoot = path.resolve(import.meta.dirname, '../..');

export interface Stack {
  apiUrl: string;
  webUrl: string;
  tempDir: string;
  /** A JPEG from outside the imported dataset, for the upload test. */
  freshImagePath: string;
  /** The API's CAPTIONER_ADMIN_TOKEN: imports here, and entered on the Evaluations page to start runs. */
  adminToken: string;
  stop: () => Promise<void>;
}

/** Images per split in the imported dataset: [train, val, test]. */
export const DATASET_SIZES = [2, 4, 10] as const;

function requireBuilt(file: string, buildCommand: string): void {
  if (!existsSync(path.join(repoRoot, file))) {
    throw new Error(`${file} is missing. Build first: ${buildCommand}`);
  }
}

/** The test always uses its own embedded PostgreSQL, even where the shell points at a shared server. */
function withoutDatabaseUrl(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { DATABASE_URL: _ignored, ...rest } = env;
  return rest;
}

export async function startStack(): Promise<Stack> {
  requireBuilt('apps/api/dist/main.js', 'npx turbo run build --filter=@captioner/api');
  requireBuilt('apps/web/.next/BUILD_ID', 'npx turbo run build --filter=@captioner/web');

  const tempDir = await mkdtemp(path.join(os.tmpdir(), 'captioner-browser-'));
  // mkdtemp makes it 0700; the embedded PostgreSQL runs as the `postgres` user when we are root.
  await chmod(tempDir, 0o755);
  const servers: Server[] = [];
  const stop = async () => {
    for (const server of servers.reverse()) await server.stop();
    await rm(tempDir, { recursive: true, force: true });
  };
  try {
    // The real synthetic data, written by the same generator training uses.
    const python = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
    const importRoot = path.join(tempDir, 'import');
    execFileSync(
      python,
      ['-m', 'training', 'shapes', '--out', path.join(importRoot, 'shapes'), '--sizes', DATASET_SIZES.join(',')],
      { cwd: repoRoot, stdio: 'ignore' },
    );
    execFileSync(
      python,
      ['-m', 'training', 'shapes', '--out', path.join(tempDir, 'fresh'), '--seed', '777', '--sizes', '0,0,1'],
      { cwd: repoRoot, stdio: 'ignore' },
    );
    const freshImagePath = path.join(tempDir, 'fresh', 'Flicker8k_Dataset', 'shapes_test_00000.jpg');

    const adminToken = randomBytes(24).toString('base64url');
    const apiPort = await freePort();
    const apiUrl = `http://127.0.0.1:${apiPort}`;
    const api = startServer('API', process.execPath, ['apps/api/dist/main.js'], {
      cwd: repoRoot,
      env: {
        ...withoutDatabaseUrl(process.env),
        PORT: String(apiPort),
        HOST: '127.0.0.1',
        CAPTIONER_DATA_DIR: path.join(tempDir, 'data'),
        CAPTIONER_MODELS_DIR: fixtureModelsDir,
        CAPTIONER_IMPORT_ROOT: importRoot,
        ...generousRateLimits,
        CAPTIONER_ADMIN_TOKEN: adminToken,
      },
    });
    servers.push(api);
    await waitFor(api, `${apiUrl}/health`, (response) => response.ok, 120_000);

    const webPort = await freePort();
    const webUrl = `http://127.0.0.1:${webPort}`;
    const web = startServer('web', process.execPath, ['server.mjs'], {
      cwd: path.join(repoRoot, 'apps/web'),
      env: {
        ...process.env,
        CAPTIONER_API_URL: apiUrl,
        NEXT_TELEMETRY_DISABLED: '1',
        NODE_ENV: 'production',
        PORT: String(webPort),
        HOST: '127.0.0.1',
      },
    });
    servers.push(web);

    // Import the dataset and caption it with every loaded model, as the demo gallery is filled.
    const { importDataset } = await gql(
      apiUrl,
      graphql(`
        mutation StackImportDataset($input: ImportDatasetInput!) {
          importDataset(input: $input) {
            job {
              id
            }
          }
        }
      `),
      { input: { path: 'shapes', format: 'FLICKR8K', dataset: 'shapes', caption: true } },
      { adminToken },
    );
    await waitUntil(
      'the dataset import',
      async () => {
        const { importJob } = await gql(
          apiUrl,
          graphql(`
            query StackImportJob($id: ID!) {
              importJob(id: $id) {
                status
                error
              }
            }
          `),
          { id: importDataset.job.id },
        );
        if (importJob!.status === 'FAILED') throw new Error(`Import failed: ${importJob!.error}`);
        return importJob!.status === 'SUCCEEDED';
      },
      120_000,
    );
    const total = DATASET_SIZES.reduce((a, b) => a + b, 0);
    let captionState = '';
    await waitUntil(
      'both models to caption every image',
      async () => {
        const { models, images, status } = await gql(
          apiUrl,
          graphql(`
            query StackModels {
              models {
                loaded
              }
              images(first: 100) {
                edges {
                  node {
                    captions {
                      id
                    }
                  }
                }
              }
              status {
                captionQueue {
                  pending
                  running
                }
              }
            }
          `),
        );
        const loaded = models.filter((m) => m.loaded).length;
        if (loaded < 2)
          throw new Error(
            `Expected the two shipped models to be loaded, got ${loaded}. Are they in ${fixtureModelsDir}?`,
          );
        const done = images.edges.filter((edge) => edge.node.captions.length === loaded).length;
        captionState = `${images.edges.length}/${total} images stored, ${done} fully captioned, queue ${JSON.stringify(status.captionQueue)}`;
        return images.edges.length === total && done === total;
      },
      300_000,
      () => captionState,
    );

    await waitFor(web, `${webUrl}/upload`, (response) => response.ok, 60_000);
    return { apiUrl, webUrl, tempDir, freshImagePath, adminToken, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
