// "External PostgreSQL via DATABASE_URL": a separately started PostgreSQL stands in for a managed
// server; openDatabase({ databaseUrl }) (what the API passes from DATABASE_URL) starts no embedded server, and every repository
// test (the describeRepository() files beside the repositories) passes against it.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import pg from 'pg';
import { startEmbeddedServer, type EmbeddedServer } from './embedded-server.js';
import { openDatabase, type Database } from './open-database.js';
import { collectRepositoryTests } from './test-fixture.js';
import { makeTempDir, migrationsDir, removeDir } from './test-support.js';

// Every test file that declares its tests with describeRepository(): those beside the repositories, the
// gallery SQL, the loaders and the health check.
const here = path.dirname(fileURLToPath(import.meta.url));
const testFiles = [
  ...(await fs.readdir(path.join(here, 'repositories'))).map((name) => path.join('repositories', name)),
  ...(await fs.readdir(path.join(here, 'sql'))).map((name) => path.join('sql', name)),
  'loaders.test.ts',
  'health.test.ts',
].filter((name) => name.endsWith('.test.ts'));
const repositoryTests = collectRepositoryTests();
for (const file of testFiles) {
  const declared = repositoryTests.length;
  await import(pathToFileURL(path.join(here, file)).href);
  if (repositoryTests.length === declared) {
    throw new Error(`${file} declares no describeRepository() tests; move it or list only fixture-based files here.`);
  }
}

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

describe('repositories (external server from DATABASE_URL)', () => {
  before(async () => {
    db = await openDatabase({ databaseUrl, dataDir: unusedDataDir, migrationsDir });
  });
  after(async () => {
    await db?.close();
  });
  for (const { label, body } of repositoryTests) {
    describe(label, () => {
      body(() => {
        assert.ok(db, 'the database is opened in before()');
        return db;
      });
    });
  }
});

it('used DATABASE_URL and started no embedded server', () => {
  assert.equal(db?.mode, 'external');
  assert.equal(existsSync(path.join(unusedDataDir, 'postgres')), false);
});
