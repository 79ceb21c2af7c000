// Ctrl-C in a terminal sends SIGINT to the whole foreground process group: the API and the embedded PostgreSQL it
// started, and, under `npm start`, npm, which forwards it to the API once more. One Ctrl-C must still mean one
// graceful shutdown, with the database there until the API has finished with it.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fixtureModelsDir } from '../model-dirs.js';

const repoRoot = path.resolve(import.meta.dirname, '../..');
let tempDir: string;

before(async () => {
  tempDir = await mkdtemp(path.join(os.tmpdir(), 'captioner-ctrl-c-'));
  await chmod(tempDir, 0o755); // the embedded PostgreSQL runs as `postgres` when we are root
});
after(async () => {
  await rm(tempDir, { recursive: true, force: true });
});

/** The built API (what `npm start -w @captioner/api` runs) in its own process group, as a terminal runs it. */
async function startApi(): Promise<{ child: ChildProcess; output: () => string }> {
  const { DATABASE_URL: _ignored, ...env } = process.env;
  const child = spawn(process.execPath, ['dist/main.js'], {
    cwd: path.join(repoRoot, 'apps/api'),
    detached: true,
    env: {
      ...env,
      PORT: '0',
      HOST: '127.0.0.1',
      CAPTIONER_DATA_DIR: path.join(tempDir, 'data'),
      CAPTIONER_MODELS_DIR: fixtureModelsDir,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout!.on('data', (chunk: Buffer) => (text += chunk));
  child.stderr!.on('data', (chunk: Buffer) => (text += chunk));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`The API did not start within 120 s:\n${text}`)), 120_000);
    const check = () => {
      if (/listening on http/.test(text)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => reject(new Error(`The API exited (${code}) before listening:\n${text}`)));
  });
  return { child, output: () => text };
}

const exited = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });

test('one Ctrl-C (SIGINT to the process group, and the copy npm forwards) shuts the API down gracefully', async () => {
  const { child, output } = await startApi();
  process.kill(-child.pid!, 'SIGINT');
  // npm's forwarded copy may arrive merged with the terminal's or on its own: make it arrive on its own.
  await new Promise((resolve) => setTimeout(resolve, 30));
  assert.equal(child.exitCode, null, 'still shutting down when the second copy arrives');
  process.kill(child.pid!, 'SIGINT');
  assert.equal(await exited(child), 0, output());
  assert.match(output(), /SIGINT: finishing running work and shutting down/);
  assert.doesNotMatch(output(), /Second SIGINT/, output());
  // PostgreSQL did not get the Ctrl-C itself: no connection was cut under the API's feet.
  assert.doesNotMatch(output(), /terminat|Connection terminated/i, output());
});
