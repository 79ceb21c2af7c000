// The repository tests' shared fixture: each *.test.ts beside a repository declares its tests with
// describeRepository(), which runs them against a fresh database (the embedded PostgreSQL in a temporary data
// directory, or, when TEST_DATABASE_URL is set, a new database on that server, dropped afterwards).
// external-server.test.ts collects the same declarations instead and runs them all against its own server.
import { randomBytes } from 'node:crypto';
import { after, before, describe } from 'node:test';
import pg from 'pg';
import { openDatabase, type Database } from './open-database.js';
import { makeTempDir, migrationsDir, removeDir } from './test-support.js';

export const unique = (prefix: string) => `${prefix}-${randomBytes(4).toString('hex')}`;
export const MISSING_ID = '00000000-0000-4000-8000-000000000000';

/** Runs one statement on a separate raw connection, to show the database itself enforces a rule. */
export async function rawSql(db: Database, text: string, params: unknown[] = []) {
  const client = new pg.Client({ connectionString: db.connectionString });
  await client.connect();
  try {
    return await client.query(text, params);
  } finally {
    await client.end();
  }
}

export async function countRows(db: Database, table: string, where = 'true', params: unknown[] = []): Promise<number> {
  const { rows } = await rawSql(db, `SELECT count(*)::int AS n FROM ${table} WHERE ${where}`, params);
  return (rows[0] as { n: number }).n;
}

export interface RepositoryTests {
  label: string;
  /** Declares the tests (describe/it/before...); `database()` is the open database once hooks have run. */
  body: (database: () => Database) => void;
}

let collected: RepositoryTests[] | null = null;

/** From now on describeRepository() only records its tests here (for a runner with its own database). */
export function collectRepositoryTests(): RepositoryTests[] {
  collected = [];
  return collected;
}

export function describeRepository(label: string, body: RepositoryTests['body']): void {
  if (collected) {
    collected.push({ label, body });
    return;
  }
  const target = process.env.TEST_DATABASE_URL;
  describe(`${label} (${target ? 'TEST_DATABASE_URL server' : 'embedded PostgreSQL'})`, () => {
    let db: Database | undefined;
    let cleanup: () => Promise<void> = async () => {};
    before(async () => {
      ({ db, cleanup } = target ? await openOnServer(target) : await openEmbedded());
    });
    after(async () => {
      await db?.close();
      await cleanup();
    });
    body(() => {
      if (!db) throw new Error('The test database is not open (its before hook failed).');
      return db;
    });
  });
}

async function openEmbedded() {
  const dataDir = await makeTempDir();
  const db = await openDatabase({ dataDir, databaseUrl: null, migrationsDir });
  return { db, cleanup: () => removeDir(dataDir) };
}

async function openOnServer(serverUrl: string) {
  const admin = async (statement: string) => {
    const client = new pg.Client({ connectionString: serverUrl });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };
  const name = `captioner_test_${randomBytes(4).toString('hex')}`;
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const db = await openDatabase({ databaseUrl: url.toString(), migrationsDir });
  return { db, cleanup: () => admin(`DROP DATABASE ${name}`) };
}
