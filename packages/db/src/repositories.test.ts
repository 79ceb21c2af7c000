// The repository suite against the embedded PostgreSQL in a temporary data directory, or, when
// TEST_DATABASE_URL is set, against a fresh database created on that server (dropped afterwards).
import pg from 'pg';
import { randomBytes } from 'node:crypto';
import { openDatabase, type Database } from './open-database.js';
import { makeTempDir, removeDir } from './test-support.js';
import { repositorySuite } from './test-repository-suite.js';

const externalUrl = process.env.TEST_DATABASE_URL;
let db: Database | undefined;
let cleanup: () => Promise<void> = async () => {};

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: externalUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

repositorySuite(
  externalUrl ? 'repositories (TEST_DATABASE_URL server)' : 'repositories (embedded PostgreSQL)',
  async () => {
    if (externalUrl) {
      const name = `captioner_test_${randomBytes(4).toString('hex')}`;
      await admin(`CREATE DATABASE ${name}`);
      const url = new URL(externalUrl);
      url.pathname = `/${name}`;
      db = await openDatabase({ databaseUrl: url.toString() });
      cleanup = () => admin(`DROP DATABASE ${name}`);
    } else {
      const dataDir = await makeTempDir();
      db = await openDatabase({ dataDir, databaseUrl: null });
      cleanup = () => removeDir(dataDir);
    }
    return db;
  },
  async () => {
    await db?.close();
    await cleanup();
  },
);
