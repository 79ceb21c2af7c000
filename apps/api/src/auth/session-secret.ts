// The HMAC secret for voter sessions: CAPTIONER_SESSION_SECRET when configured, else one generated on first start
// and kept in the data directory (mode 0600), so sessions survive restarts. Replicas that do not share the data
// directory must all be given the same CAPTIONER_SESSION_SECRET.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

export const sessionSecretFileName = 'session-secret';

export async function loadSessionSecret(
  configured: string | undefined,
  dataDir: string,
  log: (message: string) => void,
): Promise<Buffer> {
  if (configured) return Buffer.from(configured, 'utf8');
  const file = path.join(dataDir, sessionSecretFileName);
  try {
    const stored = (await readFile(file, 'utf8')).trim();
    if (stored.length >= 32) return Buffer.from(stored, 'utf8');
    throw new Error(`${file} holds fewer than 32 characters; delete it to have a new secret generated.`);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const secret = randomBytes(32).toString('base64url');
  await mkdir(dataDir, { recursive: true });
  // 'wx': a replica starting at the same moment keeps the first one's secret instead of overwriting it.
  try {
    await writeFile(file, `${secret}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return loadSessionSecret(undefined, dataDir, log);
    throw error;
  }
  log(`Voter sessions: generated a signing secret in ${file} (set CAPTIONER_SESSION_SECRET to choose one).`);
  return Buffer.from(secret, 'utf8');
}
