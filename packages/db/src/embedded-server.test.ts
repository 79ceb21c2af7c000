// The embedded PostgreSQL's life cycle: data survives a restart, a second opener of the same data
// directory (same or other process) gets a clear error at once, and a crashed owner's leftovers (stale
// lock, orphaned server) do not block the next start.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { isProcessAlive } from './data-dir-lock.js';
import { DataDirInUseError } from './errors.js';
import { openDatabase } from './open-database.js';
import { addCaption, addImage, addModel, makeTempDir, migrationsDir, removeDir } from './test-support.js';

const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const openDatabaseUrl = pathToFileURL(path.join(packageDir, 'src', 'open-database.ts')).href;
let scratch: string;

before(async () => {
  scratch = await makeTempDir();
});
after(async () => {
  await removeDir(scratch);
});

const open = (dataDir: string) => openDatabase({ dataDir, databaseUrl: null, migrationsDir });

function portAcceptsConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Runs a TypeScript snippet in a separate node process; `openDatabase` is in scope. */
async function childScript(name: string, body: string): Promise<string> {
  const file = path.join(scratch, `${name}.mts`);
  await fs.writeFile(file, `import { openDatabase } from ${JSON.stringify(openDatabaseUrl)};\n${body}\n`);
  return file;
}

function runChild(file: string, args: string[]) {
  return spawn(process.execPath, ['--import', 'tsx', file, ...args], {
    cwd: packageDir,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

function waitForLine(child: ReturnType<typeof runChild>, pattern: RegExp, timeoutMs = 60_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`child said nothing matching ${pattern}: ${output}`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const line = output.split('\n').find((candidate) => pattern.test(candidate));
      if (line) {
        clearTimeout(timer);
        resolve(line);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', () => setTimeout(() => reject(new Error(`child exited: ${output}`)), 50));
  });
}

describe('embedded PostgreSQL', () => {
  it('keeps all data across a restart, and stops the server on close', async () => {
    const dataDir = await makeTempDir();
    try {
      const first = await open(dataDir);
      assert.equal(first.mode, 'embedded');
      assert.ok(first.migrations.applied.length >= 1);
      const model = await addModel(first, 'shapes-lstm');
      const image = await addImage(first);
      await first.references.add(image.id, ['a red circle']);
      const caption = await addCaption(first, image.id, model.id);
      await first.ratings.rate({ captionId: caption.id, voterId: 'v', stars: 5 });
      const { run } = await first.evaluationRuns.startOrJoin({
        modelId: model.id,
        split: 'test',
        settings: { beamSize: 3 },
        metricVersion: 'v1',
      });
      const port = Number(new URL(first.connectionString).port);
      await first.close();
      await first.close(); // idempotent
      assert.equal(await portAcceptsConnections(port), false, 'the server stopped');

      const second = await open(dataDir);
      try {
        assert.deepEqual(second.migrations.applied, [], 'nothing to migrate on a restart');
        assert.deepEqual(await second.images.getById(image.id), image);
        assert.deepEqual(
          (await second.references.listByImage(image.id)).map((reference) => reference.text),
          ['a red circle'],
        );
        assert.deepEqual(await second.captions.getById(caption.id), caption);
        assert.equal((await second.ratings.get(caption.id, 'v'))?.stars, 5);
        assert.equal((await second.evaluationRuns.getById(run.id))?.status, 'queued');
        assert.equal((await second.models.getById(model.id))?.variant, 'lstm');
      } finally {
        await second.close();
      }
    } finally {
      await removeDir(dataDir);
    }
  });

  it('refuses a second opener of the same data directory in the same process', async () => {
    const dataDir = await makeTempDir();
    const first = await open(dataDir);
    try {
      await assert.rejects(open(dataDir), (error: unknown) => {
        assert.ok(error instanceof DataDirInUseError);
        assert.equal(error.pid, process.pid);
        assert.match(error.message, /in use by process \d+.*CAPTIONER_DATA_DIR/s);
        return true;
      });
      assert.equal((await first.health()).ok, true, 'the first server is unaffected');
    } finally {
      await first.close();
      await removeDir(dataDir);
    }
  });

  it('refuses a second process on the same data directory with a clear error', async () => {
    const dataDir = await makeTempDir();
    const first = await open(dataDir);
    try {
      const script = await childScript(
        'second-opener',
        `try { const db = await openDatabase({ dataDir: process.argv[2], databaseUrl: null, migrationsDir: process.argv[3] }); console.log('OPENED'); await db.close(); }
         catch (error) { console.log('FAILED ' + error.code + ': ' + error.message); }`,
      );
      const child = runChild(script, [dataDir, migrationsDir]);
      const line = await waitForLine(child, /^(OPENED|FAILED)/);
      assert.match(line, new RegExp(`^FAILED DATA_DIR_IN_USE: .*in use by process ${process.pid}`));
      assert.equal((await first.health()).ok, true);
    } finally {
      await first.close();
      await removeDir(dataDir);
    }
  });

  it('starts again after the owning process was killed, stopping its orphaned server', async () => {
    const dataDir = await makeTempDir();
    try {
      const script = await childScript(
        'killed-owner',
        `const db = await openDatabase({ dataDir: process.argv[2], databaseUrl: null, migrationsDir: process.argv[3] });
         await db.models.upsertFromManifest({ id: 'from-child', variant: 'lstm', format: 1, dataset: { name: 'shapes' } });
         console.log('READY');
         setInterval(() => {}, 1000);`,
      );
      const child = runChild(script, [dataDir, migrationsDir]);
      await waitForLine(child, /^READY/);
      const pidFile = await fs.readFile(path.join(dataDir, 'postgres', 'postmaster.pid'), 'utf8');
      const serverPid = Number.parseInt(pidFile.split('\n')[0] ?? '', 10);
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('exit', resolve));
      assert.equal(isProcessAlive(serverPid), true, 'kill -9 leaves the server running');

      const db = await open(dataDir);
      try {
        assert.equal(isProcessAlive(serverPid), false, 'the orphaned server was stopped');
        assert.equal((await db.models.getById('from-child'))?.id, 'from-child');
      } finally {
        await db.close();
      }
    } finally {
      await removeDir(dataDir);
    }
  });

  it('stops the server when its process exits without closing the database', async () => {
    const dataDir = await makeTempDir();
    try {
      const script = await childScript(
        'exits-without-close',
        `await openDatabase({ dataDir: process.argv[2], databaseUrl: null, migrationsDir: process.argv[3] });
         console.log('READY');
         process.exit(0);`,
      );
      const child = runChild(script, [dataDir, migrationsDir]);
      await waitForLine(child, /^READY/);
      const pidFile = await fs.readFile(path.join(dataDir, 'postgres', 'postmaster.pid'), 'utf8');
      const serverPid = Number.parseInt(pidFile.split('\n')[0] ?? '', 10);
      if (child.exitCode === null) await new Promise((resolve) => child.once('exit', resolve));
      const deadline = Date.now() + 15_000;
      while (isProcessAlive(serverPid) && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 100));
      assert.equal(isProcessAlive(serverPid), false, 'the server stopped with its process');
    } finally {
      await removeDir(dataDir);
    }
  });

  it('takes over a lock file whose owner is dead', async () => {
    const dataDir = await makeTempDir();
    try {
      const deadPid = spawnSync('true').pid;
      assert.ok(deadPid && !isProcessAlive(deadPid));
      await fs.writeFile(path.join(dataDir, 'postgres.lock'), JSON.stringify({ pid: deadPid }) + '\n');
      const db = await open(dataDir);
      await db.close();
    } finally {
      await removeDir(dataDir);
    }
  });
});
