// "External PostgreSQL via DATABASE_URL": a separately started PostgreSQL stands in for a managed
// server; openDatabase() picks it up from the environment, starts no embedded server, and the whole
// repository suite passes against it.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { after, before, it } from 'node:test';
import pg from 'pg';
import { startEmbeddedServer, type EmbeddedServer } from './embedded-server.js';
import { openDatabase, type Database } from './open-database.js';
import { makeTempDir, removeDir } from './test-support.js';
import { repositorySuite } from './test-repository-suite.js';

let server: EmbeddedServer;
let serverDir: string;
let unusedDataDir: string;
let db: Database | undefined;
const savedEnv = { DATABASE_URL: process.env.DATABASE_URL, CAPTIONER_DATA_DIR: process.env.CAPTIONER_DATA_DIR };

before(async () => {
  serverDir = await makeTempDir();
  unusedDataDir = await makeTempDir();
  server = await startEmbeddedServer({ dataDir: serverDir });
  const admin = new pg.Client({ connectionString: server.connectionString });
  await admin.connect();
  await admin.query('CREATE DATABASE external_suite');
  await admin.end();
  const url = new URL(server.connectionString);
  url.pathname = '/external_suite';
  process.env.DATABASE_URL = url.toString();
  process.env.CAPTIONER_DATA_DIR = unusedDataDir;
});

after(async () => {
  await server?.stop();
  await removeDir(serverDir);
  await removeDir(unusedDataDir);
  for (const [key, value] of Object.entries(savedEnv)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
});

repositorySuite(
  'repositories (external server from DATABASE_URL)',
  async () => {
    db = await openDatabase();
    return db;
  },
  async () => {
    await db?.close();
  },
);

it('used DATABASE_URL and started no embedded server', () => {
  assert.equal(db?.mode, 'external');
  assert.equal(existsSync(path.join(unusedDataDir, 'postgres')), false);
});
