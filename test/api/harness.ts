// A real API for a test file: the service in-process on a free loopback port, its own embedded PostgreSQL in
// a temp directory, the shapes fixture models (packages/model/fixtures) unless CAPTIONER_MODELS_DIR is passed. Talks to it only over HTTP (fetch), as clients do.
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, startService, type RunningService } from '@captioner/api';
import { graphql } from '../generated/index.js';
import type { ImportDatasetInput, TypedDocumentString } from '../generated/graphql.js';
import { generousRateLimits } from '../generous-rate-limits.js';
import { fixtureModelsDir } from '../model-dirs.js';

export const repoRoot = path.resolve(import.meta.dirname, '../..');
export const fixturesDir = path.join(repoRoot, 'training', 'tests', 'fixtures');

export interface GraphqlResponse<T> {
  status: number;
  data?: T | null;
  errors?: { message: string; path?: string[]; extensions?: { code?: string; [key: string]: unknown } }[];
}

export interface TestApi {
  url: string;
  tempDir: string;
  service: RunningService;
  /**
   * POST /graphql; returns the whole response (data and errors). `voter` names a test voter: the harness gets it a
   * real session (POST /voter-session) on first use and sends that token. `ADMIN` also sends the admin token.
   * A generated document (`graphql(...)`, checked against the schema) types the data and variables; raw text is
   * for requests that are meant to fail validation or limits.
   */
  request<R, V>(query: TypedDocumentString<R, V>, variables?: V, voter?: string): Promise<GraphqlResponse<R>>;
  request(query: string, variables?: Record<string, unknown>, voter?: string): Promise<GraphqlResponse<unknown>>;
  /** POST /graphql; throws on any error and returns data. */
  gql<R, V>(query: TypedDocumentString<R, V>, variables?: V, voter?: string): Promise<R>;
  gql(query: string, variables?: Record<string, unknown>, voter?: string): Promise<unknown>;
  /** POST /upload, as the named test voter when `voter` is given (the uploader may delete the image). */
  upload(
    files: { name: string; bytes: Uint8Array; type?: string }[],
    voter?: string,
  ): Promise<{ status: number; body: UploadBody }>;
  /** The signed session token of the named test voter (issued by the API on first use). */
  voterSession(voter: string): Promise<string>;
  stop(): Promise<void>;
}

export interface UploadBody {
  results: {
    filename: string | null;
    imageId: string | null;
    created: boolean;
    error?: { code: string; message: string };
  }[];
  error?: { code: string; message: string };
}

/** The admin credential of test APIs; the test voter named `ADMIN` sends it as `Authorization: Bearer`. */
export const testAdminToken = 'test-admin-token-0123456789abcdef';
export const ADMIN = 'admin';

export async function startTestApi(env: Record<string, string> = {}): Promise<TestApi> {
  const tempDir = await mkdtemp(path.join(os.tmpdir(), 'captioner-api-test-'));
  await chmod(tempDir, 0o755); // the embedded server runs as the `postgres` user, which must reach its data dir
  const { DATABASE_URL: _ignored, ...baseEnv } = process.env; // always our own embedded database
  const config = loadConfig({
    ...baseEnv,
    HOST: '127.0.0.1',
    PORT: '0',
    CAPTIONER_DATA_DIR: path.join(tempDir, 'data'),
    CAPTIONER_MODELS_DIR: fixtureModelsDir,
    CAPTIONER_IMPORT_ROOT: fixturesDir,
    ...generousRateLimits,
    CAPTIONER_ADMIN_TOKEN: testAdminToken,
    ...env,
  });
  // The service's log: shown live with TEST_API_LOG=1, else kept and shown on stop when it reported a failure.
  const logs: string[] = [];
  const log = (message: string) => {
    if (process.env.TEST_API_LOG) console.error(`[api] ${message}`);
    else logs.push(message);
  };
  const service = await startService(config, { log });
  const url = await service.server.listen(0, '127.0.0.1');

  const sessions = new Map<string, Promise<string>>();
  const voterSession = (voter: string): Promise<string> => {
    let token = sessions.get(voter);
    if (!token) {
      token = fetch(`${url}/voter-session`, { method: 'POST' }).then(async (response) => {
        if (response.status !== 201)
          throw new Error(`POST /voter-session: HTTP ${response.status} ${await response.text()}`);
        return ((await response.json()) as { token: string }).token;
      });
      sessions.set(voter, token);
    }
    return token;
  };
  const request = async <T>(
    query: string | TypedDocumentString<T, unknown>,
    variables: unknown = {},
    voter?: string,
  ): Promise<GraphqlResponse<T>> => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (voter) headers['x-voter-session'] = await voterSession(voter);
    if (voter === ADMIN) headers.authorization = `Bearer ${testAdminToken}`;
    const response = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ query: query.toString(), variables }),
    });
    return { status: response.status, ...((await response.json()) as Omit<GraphqlResponse<T>, 'status'>) };
  };
  return {
    url,
    tempDir,
    service,
    request,
    voterSession,
    async gql<T>(query: string | TypedDocumentString<T, unknown>, variables: unknown = {}, voter?: string) {
      const response = await request<T>(query, variables, voter);
      if (response.errors?.length || !response.data) {
        throw new Error(`GraphQL failed (HTTP ${response.status}): ${JSON.stringify(response.errors)}`);
      }
      return response.data;
    },
    async upload(files, voter) {
      const form = new FormData();
      for (const f of files)
        form.append(
          'file',
          new Blob([new Uint8Array(f.bytes)], { type: f.type ?? 'application/octet-stream' }),
          f.name,
        );
      const headers: Record<string, string> = voter ? { 'x-voter-session': await voterSession(voter) } : {};
      const response = await fetch(`${url}/upload`, { method: 'POST', body: form, headers });
      return { status: response.status, body: (await response.json()) as UploadBody };
    },
    async stop() {
      await service.shutdown();
      if (logs.some((line) => /fail|error/i.test(line)))
        console.error(`API log of this test file:\n${logs.slice(-30).join('\n')}`);
      await rm(tempDir, { recursive: true, force: true });
    },
  };
}

/** Real shapes images from the training fixtures (JPEG). */
export async function fixtureImages(count: number): Promise<{ name: string; bytes: Buffer }[]> {
  const dir = path.join(fixturesDir, 'flickr8k', 'Flicker8k_Dataset');
  const names = (await import('node:fs/promises').then((fs) => fs.readdir(dir)))
    .filter((n) => n.endsWith('.jpg'))
    .sort();
  if (names.length < count) throw new Error(`Only ${names.length} fixture images in ${dir}; need ${count}`);
  return Promise.all(
    names.slice(0, count).map(async (name) => ({ name, bytes: await readFile(path.join(dir, name)) })),
  );
}

export async function waitUntil<T>(
  what: string,
  probe: () => Promise<T | null | undefined | false>,
  timeoutMs = 120_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Imports a dataset as the admin (ImportDatasetInput) and waits until the import job has succeeded. */
export async function importAndWait(api: TestApi, input: ImportDatasetInput): Promise<void> {
  const { importDataset } = await api.gql(
    graphql(`
      mutation ImportDataset($input: ImportDatasetInput!) {
        importDataset(input: $input) {
          job {
            id
          }
        }
      }
    `),
    { input },
    ADMIN,
  );
  await waitUntil('the import', async () => {
    const { importJob } = await api.gql(
      graphql(`
        query ImportJob($id: ID!) {
          importJob(id: $id) {
            status
            error
          }
        }
      `),
      {
        id: importDataset.job.id,
      },
    );
    if (!importJob) throw new Error(`import job ${importDataset.job.id} is unknown`);
    if (importJob.status === 'FAILED') throw new Error(`the import failed: ${importJob.error}`);
    return importJob.status === 'SUCCEEDED';
  });
}

/** The shipped models the service loaded; tests need both variants. */
export async function loadedModels(api: TestApi) {
  const { models } = await api.gql(
    graphql(`
      query LoadedModels {
        models {
          id
          variant
          loaded
        }
      }
    `),
  );
  return models.filter((m) => m.loaded);
}
