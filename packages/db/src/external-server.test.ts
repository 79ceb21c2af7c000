// "External PostgreSQL via DATABASE_URL": a separately started PostgreSQL stands in for a managed
// server; openDatabase({ databaseUrl }) (what the API passes from DATABASE_URL) starts no embedded server, and the whole
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
let databaseUrl: string;

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
  databaseUrl = url.toString();
});

after(async () => {
  await server?.stop();
  await removeDir(serverDir);
  await removeDir(unusedDataDir);
});

repositorySuite(
  'repositories (external server from DATABASE_URL)',
  async () => {
    db = await openDatabase({ databaseUrl, dataDir: unusedDataDir });
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
