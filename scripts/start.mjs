#!/usr/bin/env node
// `npm start`: build what changed (turbo cache), then run everything on this machine: the embedded PostgreSQL
// (unless DATABASE_URL names a server), the API (only queues work: CAPTIONER_WORKER=off), one worker (the shipped
// Flickr8k models in models/; it imports the demo gallery demo/flickr8k-test on first start and captions it) and
// the Next.js gallery. Ctrl-C stops them all, the database last. On a loopback host without CAPTIONER_ADMIN_TOKEN, an admin token is generated for
// this run and printed, so the local demo keeps every feature (the API itself never defaults one).
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const apiPort = process.env.API_PORT ?? '4000';
const webPort = process.env.PORT ?? '3000';
const host = process.env.HOST ?? '127.0.0.1';
const env = { ...process.env, NEXT_TELEMETRY_DISABLED: '1' };
const loopback = ['127.0.0.1', 'localhost', '::1'].includes(host);
const generatedAdminToken =
  !env.CAPTIONER_ADMIN_TOKEN && loopback && env.NODE_ENV !== 'production'
    ? randomBytes(24).toString('base64url')
    : null;
if (generatedAdminToken) env.CAPTIONER_ADMIN_TOKEN = generatedAdminToken;

const build = spawnSync(
  'npx',
  ['turbo', 'run', 'build', '--filter=@captioner/api', '--filter=@captioner/web', '--output-logs=errors-only'],
  {
    cwd: root,
    env,
    stdio: 'inherit',
  },
);
if (build.status !== 0) {
  console.error('Build failed; see the output above.');
  process.exit(build.status ?? 1);
}

// One embedded PostgreSQL for the API and the worker (each would otherwise want its own).
let database = null;
if (!env.DATABASE_URL) {
  const { startEmbeddedServer } = await import('@captioner/db');
  database = await startEmbeddedServer({ dataDir: env.CAPTIONER_DATA_DIR ?? path.join(root, 'data') });
  env.DATABASE_URL = database.connectionString;
}
async function exit(code) {
  await database?.stop().catch((error) => console.error(`Stopping PostgreSQL failed: ${error.message}`));
  process.exit(code);
}

const children = [];
function run(name, command, args, cwd, extraEnv) {
  // Each child in its own process group: Ctrl-C in the terminal reaches only this script, which then sends each
  // child one SIGTERM for a graceful stop; a second Ctrl-C sends another, on which the API exits at once.
  const child = spawn(command, args, {
    cwd,
    env: { ...env, ...extraEnv },
    stdio: ['ignore', 'inherit', 'inherit'],
    detached: true,
  });
  child.on('exit', (code, signal) => {
    if (!stopping) {
      console.error(`${name} exited (${signal ?? code}); stopping the rest.`);
      stop(code ?? 1);
    }
  });
  children.push(child);
  return child;
}

// One Ctrl-C under `npm start` arrives twice: from the terminal, and forwarded by npm. A repeat within this
// window is the same keypress; only a later one forces the stop.
const SAME_KEYPRESS_MS = 1_000;
let stopping = false;
let stoppedAt = 0;
function stop(code = 0) {
  if (stopping && Date.now() - stoppedAt < SAME_KEYPRESS_MS) return;
  if (stopping) {
    // A second Ctrl-C: the children get their second signal, on which the API exits at once.
    console.error('Stopping now.');
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    setTimeout(() => void exit(1), 2_000).unref();
    return;
  }
  stopping = true;
  stoppedAt = Date.now();
  console.error('Stopping: running work finishes or is handed back for the next start (Ctrl-C again to force).');
  const alive = children.filter((c) => c.exitCode === null && c.signalCode === null);
  let left = alive.length;
  if (left === 0) void exit(code);
  for (const child of alive) {
    child.once('exit', () => --left === 0 && void exit(code));
    child.kill('SIGTERM');
  }
  // The worker finishes running captioning within its grace period; never hang forever.
  setTimeout(() => void exit(code), 30_000).unref();
}
// However this script ends, no child outlives it (they are not in its process group).
process.on('exit', () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));
process.on('SIGHUP', () => stop(0));

run('API', process.execPath, ['dist/main.js', '--demo'], path.join(root, 'apps/api'), {
  PORT: apiPort,
  HOST: host,
  CAPTIONER_WORKER: 'off',
});
run('Worker', process.execPath, ['dist/worker-main.js'], path.join(root, 'apps/api'), {});
run('Web', process.execPath, ['server.mjs'], path.join(root, 'apps/web'), {
  CAPTIONER_API_URL: `http://${host}:${apiPort}`,
  PORT: webPort,
  HOST: host,
  NODE_ENV: 'production',
});
console.log(
  `\nGallery: http://${host}:${webPort}\nGraphQL: http://${host}:${apiPort}/graphql\nCtrl-C stops them all.\n`,
);
if (generatedAdminToken) {
  console.log(
    `Admin token for this run (Evaluations page, or Authorization: Bearer for importDataset/startEvaluationRun):\n  ${generatedAdminToken}\n`,
  );
} else if (!env.CAPTIONER_ADMIN_TOKEN) {
  console.log('No CAPTIONER_ADMIN_TOKEN: admin operations (imports, evaluation runs) are disabled.\n');
}
