// An exclusive lock on the data directory (proper-lockfile: an atomic mkdir, refreshed while held, released on
// exit), so a second process on the same directory fails at once with the owner's pid instead of racing the
// first one's PostgreSQL. The owner's pid is kept beside the lock: a lock whose owner is dead (killed, crashed)
// is taken over at once rather than after proper-lockfile's staleness timeout.
import fs from 'node:fs/promises';
import lockfile from 'proper-lockfile';
import { DataDirInUseError, EmbeddedServerError } from './errors.js';

export interface DataDirLock {
  /** pid of a dead previous owner whose stale lock was taken over, else null */
  readonly staleOwnerPid: number | null;
  release(): Promise<void>;
}

// Held locks are refreshed every UPDATE_MS; one not refreshed for STALE_MS (its process hung or vanished
// without its pid being known) is taken over by proper-lockfile itself.
const STALE_MS = 30_000;
const UPDATE_MS = 5_000;
// An owner file appears right after the lock: wait this long for it before giving up.
const OWNER_WAIT_MS = 2_000;

export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function readOwnerPid(file: string): Promise<number | null> {
  try {
    const { pid } = JSON.parse(await fs.readFile(file, 'utf8')) as { pid?: unknown };
    return typeof pid === 'number' && Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/**
 * Earlier versions locked with a pid-stamped file at lockPath itself. A live owner still holds the directory;
 * a dead one's file is removed. Returns the dead owner's pid.
 */
async function clearLegacyLockFile(lockPath: string, dataDir: string): Promise<number | null> {
  const stat = await fs.lstat(lockPath).catch(() => null);
  if (!stat?.isFile()) return null;
  const owner = await readOwnerPid(lockPath);
  if (owner !== null && isProcessAlive(owner)) throw new DataDirInUseError(dataDir, owner);
  await fs.rm(lockPath, { force: true });
  return owner;
}

export async function acquireDataDirLock(lockPath: string, dataDir: string): Promise<DataDirLock> {
  const ownerFile = `${lockPath}.owner`;
  let staleOwnerPid = await clearLegacyLockFile(lockPath, dataDir);
  const waitUntil = Date.now() + OWNER_WAIT_MS;
  for (;;) {
    let release: () => Promise<void>;
    try {
      release = await lockfile.lock(dataDir, {
        lockfilePath: lockPath,
        realpath: false,
        stale: STALE_MS,
        update: UPDATE_MS,
        // Losing the lock (its directory removed by hand) must not crash a running server.
        onCompromised: () => {},
      });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ELOCKED') throw error;
      const owner = await readOwnerPid(ownerFile);
      if (owner !== null && isProcessAlive(owner)) throw new DataDirInUseError(dataDir, owner);
      if (owner === null) {
        // Just taken by a process that has not written its pid yet.
        if (Date.now() > waitUntil) {
          throw new EmbeddedServerError(
            `The database directory ${dataDir} is locked (${lockPath}) by a process that did not say who it is. ` +
              `If no other process uses it, remove ${lockPath} and start again.`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
        continue;
      }
      staleOwnerPid = owner;
      await fs.rm(lockPath, { recursive: true, force: true });
      continue;
    }
    const content = JSON.stringify({ pid: process.pid, startedAt: new Date().toISOString() }) + '\n';
    await fs.writeFile(ownerFile, content);
    return {
      staleOwnerPid,
      async release() {
        // The owner file goes first, so nobody reads our pid for a lock that is no longer ours.
        if ((await fs.readFile(ownerFile, 'utf8').catch(() => '')) === content) await fs.rm(ownerFile, { force: true });
        await release().catch(() => {});
      },
    };
  }
}
