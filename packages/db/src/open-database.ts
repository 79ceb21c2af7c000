// Entry point: connects (an external server at databaseUrl, else the embedded one in dataDir), applies the
// migrations, and hands out the repositories. close() undoes all of it. Reads no environment: the application's
// configuration passes everything.
import { PrismaPg } from '@prisma/adapter-pg';
import path from 'node:path';
import pg from 'pg';
import { PrismaClient } from '../generated/prisma/client.js';
import type { DbContext } from './context.js';
import { startEmbeddedServer, type EmbeddedServer } from './embedded-server.js';
import { ConnectionError, InvalidInputError } from './errors.js';
import { createLoaders, type Loaders } from './loaders.js';
import { applyMigrations, type MigrationResult } from './migrations.js';
import { captionsRepository } from './repositories/captions.js';
import { evaluationRunsRepository } from './repositories/evaluation-runs.js';
import { imagesRepository } from './repositories/images.js';
import { importJobsRepository } from './repositories/import-jobs.js';
import { imagePlacement } from './storage/image-placement.js';
import type { ImageStorageOptions } from './storage/object-store.js';
import { leaderboardRepository } from './repositories/leaderboard.js';
import { modelsRepository } from './repositories/models.js';
import { preferencesRepository } from './repositories/preferences.js';
import { ratingsRepository } from './repositories/ratings.js';
import { referencesRepository } from './repositories/references.js';

/** How long a transaction may wait for a connection, and run; beyond it something is stuck. */
const TRANSACTION_WAIT_MS = 60_000;

export interface OpenDatabaseOptions {
  /** PostgreSQL URL of an external server; unset, null or empty: the embedded server in dataDir. */
  databaseUrl?: string | null;
  /** Where the embedded cluster lives (`<dataDir>/postgres`); required without databaseUrl. */
  dataDir?: string;
  /** Embedded server port; default a free one. */
  port?: number;
  /** The SQL migrations to apply (the repository's prisma/migrations; the application's config says where). */
  migrationsDir: string;
  /** Connections in the pool; default 10. */
  poolSize?: number;
  /** Receives the embedded server's log lines. */
  onServerLog?: (line: string) => void;
  /**
   * Where image bytes go and the object store to read them from (storage/object-store.ts). Default: in the images
   * table. With an object store, its bucket is checked before anything else starts.
   */
  imageStorage?: ImageStorageOptions;
}

export interface DatabaseHealth {
  ok: boolean;
  mode: 'embedded' | 'external';
  latencyMs: number;
  error?: string;
}

export async function openDatabase(options: OpenDatabaseOptions) {
  const databaseUrl = options.databaseUrl || null;
  const poolSize = options.poolSize ?? 10;
  if (!Number.isInteger(poolSize) || poolSize < 1) throw new InvalidInputError('poolSize must be a positive integer.');
  const mode: 'embedded' | 'external' = databaseUrl ? 'external' : 'embedded';

  if (databaseUrl) checkDatabaseUrl(databaseUrl);
  else if (!options.dataDir) {
    throw new InvalidInputError(
      'openDatabase needs dataDir (where the embedded PostgreSQL keeps its cluster) or databaseUrl (an external server).',
    );
  }

  // Fails before any server starts when the options are incomplete; the bucket is checked next.
  const placementOptions = options.imageStorage ?? {};
  if (placementOptions.target === 's3' && !placementOptions.objects) {
    throw new InvalidInputError("imageStorage.target 's3' needs imageStorage.objects (the object store).");
  }
  await placementOptions.objects?.check();

  let server: EmbeddedServer | null = null;
  if (!databaseUrl) {
    const dataDir = path.resolve(options.dataDir!);
    server = await startEmbeddedServer({ dataDir, port: options.port, onServerLog: options.onServerLog });
  }
  const connectionString = databaseUrl ?? (server as EmbeddedServer).connectionString;

  const pool = new pg.Pool({ connectionString, max: poolSize });
  // An idle client losing its server (restart, network) must not crash the process; the next query
  // reconnects or reports the failure.
  pool.on('error', () => {});
  let migrations: MigrationResult;
  try {
    await checkConnection(pool, connectionString, mode);
    migrations = await applyMigrations(pool, options.migrationsDir);
  } catch (error) {
    await pool.end().catch(() => {});
    await server?.stop();
    throw error;
  }
  // A transaction waits for a pool connection as long as a plain query does (pg's pool has no timeout);
  // Prisma's default of 2 s made writes fail under load.
  const prisma = new PrismaClient({
    adapter: new PrismaPg(pool),
    transactionOptions: { maxWait: TRANSACTION_WAIT_MS, timeout: TRANSACTION_WAIT_MS },
  });
  const ctx: DbContext = { prisma, pool };

  const repos = {
    images: imagesRepository(ctx, imagePlacement(ctx, placementOptions)),
    references: referencesRepository(ctx),
    models: modelsRepository(ctx),
    captions: captionsRepository(ctx),
    ratings: ratingsRepository(ctx),
    preferences: preferencesRepository(ctx),
    evaluationRuns: evaluationRunsRepository(ctx),
    importJobs: importJobsRepository(ctx),
    leaderboard: leaderboardRepository(ctx),
  };

  // Objects whose deletion failed earlier (object storage down, a process killed) go now; failing again, they wait.
  if (placementOptions.objects) await repos.images.drainObjectDeletions().catch(() => 0);

  let closing: Promise<void> | null = null;
  return {
    mode,
    /** Includes the password for the embedded server; don't log it. */
    connectionString,
    /** Migrations applied / already present at this start. */
    migrations,
    /** The pg pool under Prisma, for libraries that bring their own SQL (the API's shared rate-limit counters). */
    pool,
    ...repos,
    /** Fresh DataLoaders; create one set per request. */
    createLoaders: (loaderOptions: { voterId?: string | null } = {}): Loaders =>
      createLoaders(ctx, repos, loaderOptions),

    async health(): Promise<DatabaseHealth> {
      const started = performance.now();
      try {
        await pool.query('SELECT 1');
        return { ok: true, mode, latencyMs: performance.now() - started };
      } catch (error) {
        return { ok: false, mode, latencyMs: performance.now() - started, error: (error as Error).message };
      }
    },

    /** Closes the connections and stops the embedded server. Safe to call more than once. */
    close(): Promise<void> {
      closing ??= (async () => {
        try {
          await prisma.$disconnect();
          await pool.end();
        } finally {
          await server?.stop();
        }
      })();
      return closing;
    },
  };
}

export type Database = Awaited<ReturnType<typeof openDatabase>>;

function checkDatabaseUrl(databaseUrl: string): void {
  let protocol: string;
  try {
    protocol = new URL(databaseUrl).protocol;
  } catch {
    throw new InvalidInputError('DATABASE_URL is not a URL; use postgresql://user:password@host:5432/database.');
  }
  if (protocol !== 'postgresql:' && protocol !== 'postgres:') {
    throw new InvalidInputError(`DATABASE_URL must start with postgresql:// (got ${protocol}//).`);
  }
}

/** Fails start-up with where it tried to connect (never the password) and why. */
async function checkConnection(pool: pg.Pool, connectionString: string, mode: string): Promise<void> {
  try {
    await pool.query('SELECT 1');
  } catch (error) {
    const url = new URL(connectionString);
    const where = `${url.hostname}:${url.port || 5432}${url.pathname}`;
    throw new ConnectionError(
      `Cannot connect to the ${mode} PostgreSQL at ${where}: ${(error as Error).message}.` +
        (mode === 'external' ? ' Check DATABASE_URL and that the server is running and reachable.' : ''),
      { cause: error },
    );
  }
}
