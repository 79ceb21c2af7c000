// An exclusive, pid-stamped lock file beside the embedded cluster, so a second process on the same data
// directory fails at once with the owner's pid instead of racing the first one's PostgreSQL. A lock whose
// owner is dead (killed, crashed) is taken over.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import { DataDirInUseError } from './errors.js';

export interface DataDirLock {
  /** pid of a dead previous owner whose stale lock was taken over, else null */
  readonly staleOwnerPid: number | null;
  release(): Promise<void>;
}

export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function readOwnerPid(lockPath: string): Promise<number | null> {
  try {
    const { pid } = JSON.parse(await fs.readFile(lockPath, 'utf8')) as { pid?: unknown };
    return typeof pid === 'number' && Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

export async function acquireDataDirLock(lockPath: string, dataDir: string): Promise<DataDirLock> {
  const token = randomBytes(8).toString('hex');
  const content = JSON.stringify({ pid: process.pid, token, startedAt: new Date().toISOString() }) + '\n';
  // Written whole to a temp file, then hard-linked into place: link() fails if the lock exists, and a
  // reader never sees a half-written lock.
  const tempPath = `${lockPath}.${process.pid}.${token}`;
  await fs.writeFile(tempPath, content);
  let staleOwnerPid: number | null = null;
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        await fs.link(tempPath, lockPath);
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 3) throw error;
      }
      const owner = await readOwnerPid(lockPath);
      if (owner !== null && isProcessAlive(owner)) throw new DataDirInUseError(dataDir, owner);
      staleOwnerPid = owner;
      await fs.rm(lockPath, { force: true });
    }
  } finally {
    await fs.rm(tempPath, { force: true });
  }

  return {
    staleOwnerPid,
    async release() {
      // Remove it only if it is still ours.
      const current = await fs.readFile(lockPath, 'utf8').catch(() => '');
      if (current === content) await fs.rm(lockPath, { force: true });
    },
  };
}
