// Applies prisma/migrations/<timestamp>_<name>/migration.sql in name order, each in its own transaction
// with the row that records it, so a migration runs once and a failing one leaves nothing behind.
// Concurrent starters serialise on an advisory lock.
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type pg from 'pg';
import { MigrationError } from './errors.js';

export const MIGRATIONS_TABLE = '_captioner_migrations';
// Arbitrary constant shared by every process that migrates this database ('capt' 'ionr' in ASCII).
const ADVISORY_LOCK_KEY = '7224442571935477874';

export interface MigrationFile {
  name: string;
  sql: string;
  checksum: string;
}

export interface MigrationResult {
  /** names applied by this call, in order */
  applied: string[];
  /** names that were already recorded */
  alreadyApplied: string[];
}

export async function readMigrations(migrationsDir: string): Promise<MigrationFile[]> {
  const entries = await fs.readdir(migrationsDir, { withFileTypes: true }).catch((error: unknown) => {
    throw new MigrationError('-', `Cannot read the migrations directory ${migrationsDir}: ${(error as Error).message}`);
  });
  const names = entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  const migrations: MigrationFile[] = [];
  for (const name of names) {
    const file = path.join(migrationsDir, name, 'migration.sql');
    const raw = await fs.readFile(file, 'utf8').catch(() => {
      throw new MigrationError(name, `Migration directory ${name} has no readable migration.sql (${file}).`);
    });
    // Line endings must not change the checksum of an otherwise unchanged file (Git on Windows).
    const sql = raw.replace(/\r\n/g, '\n');
    migrations.push({ name, sql, checksum: createHash('sha256').update(sql).digest('hex') });
  }
  return migrations;
}

export async function applyMigrations(pool: pg.Pool, migrationsDir: string): Promise<MigrationResult> {
  const migrations = await readMigrations(migrationsDir);
  const client = await pool.connect();
  const result: MigrationResult = { applied: [], alreadyApplied: [] };
  try {
    await client.query('SELECT pg_advisory_lock($1)', [ADVISORY_LOCK_KEY]);
    try {
      await client.query(
        `CREATE TABLE IF NOT EXISTS ${MIGRATIONS_TABLE} (
           name text PRIMARY KEY,
           checksum text NOT NULL,
           applied_at timestamptz NOT NULL DEFAULT now()
         )`,
      );
      const { rows } = await client.query<{ name: string; checksum: string }>(
        `SELECT name, checksum FROM ${MIGRATIONS_TABLE}`,
      );
      const recorded = new Map(rows.map((row) => [row.name, row.checksum]));
      for (const migration of migrations) {
        const checksum = recorded.get(migration.name);
        if (checksum === undefined) {
          await applyOne(client, migration);
          result.applied.push(migration.name);
        } else if (checksum !== migration.checksum) {
          throw new MigrationError(
            migration.name,
            `Migration ${migration.name} was edited after it was applied to this database. Restore the ` +
              `original file and put the change in a new migration directory.`,
          );
        } else {
          result.alreadyApplied.push(migration.name);
        }
      }
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [ADVISORY_LOCK_KEY]);
    }
  } finally {
    client.release();
  }
  return result;
}

async function applyOne(client: pg.PoolClient, migration: MigrationFile): Promise<void> {
  await client.query('BEGIN');
  try {
    await client.query(migration.sql);
    await client.query(`INSERT INTO ${MIGRATIONS_TABLE} (name, checksum) VALUES ($1, $2)`, [
      migration.name,
      migration.checksum,
    ]);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    const pgError = error as Error & { position?: string };
    const offset = Number(pgError.position);
    const where = offset > 0 ? ` at line ${migration.sql.slice(0, offset).split('\n').length}` : '';
    throw new MigrationError(
      migration.name,
      `Migration ${migration.name} failed${where} and was rolled back (the database is unchanged): ` +
        `${pgError.message}. Fix prisma/migrations/${migration.name}/migration.sql and start again.`,
      { cause: error },
    );
  }
}
