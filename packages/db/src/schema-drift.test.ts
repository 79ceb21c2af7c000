// schema.prisma against the migrations (see test-schema-drift.ts): a fresh database built by the migrations has
// exactly the tables, columns, types, nullability, defaults, keys, indexes and foreign keys schema.prisma
// declares. And the check bites: a column added on one side only, in either direction, is reported.
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { startEmbeddedServer, type EmbeddedServer } from './embedded-server.js';
import { STARS } from './limits.js';
import { applyMigrations } from './migrations.js';
import { databaseDescription, schemaDescription, schemaDrift } from './test-schema-drift.js';
import { makeTempDir, migrationsDir, removeDir } from './test-support.js';

const schemaPath = path.join(migrationsDir, '..', 'schema.prisma');
let server: EmbeddedServer;
let dataDir: string;
const pools: pg.Pool[] = [];
let databases = 0;

/** A new database of the test server with the migrations (and any extra SQL) applied. */
async function migratedDatabase(extraSql?: string): Promise<pg.Pool> {
  const name = `drift_${++databases}`;
  const admin = new pg.Client({ connectionString: server.connectionString });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(server.connectionString);
  url.pathname = `/${name}`;
  const pool = new pg.Pool({ connectionString: url.toString(), max: 2 });
  pool.on('error', () => {});
  pools.push(pool);
  await applyMigrations(pool, migrationsDir);
  if (extraSql) await pool.query(extraSql);
  return pool;
}

before(async () => {
  dataDir = await makeTempDir();
  server = await startEmbeddedServer({ dataDir });
});

after(async () => {
  await Promise.all(pools.map((pool) => pool.end()));
  await server?.stop();
  await removeDir(dataDir);
});

describe('schema.prisma and the migrations', () => {
  it('describe the same tables, columns, defaults, keys, indexes and foreign keys', async () => {
    const pool = await migratedDatabase();
    const drift = schemaDrift(await schemaDescription(schemaPath), await databaseDescription(pool));
    assert.deepEqual(
      drift,
      { onlyInSchema: [], onlyInDatabase: [], staleExemptions: [] },
      'schema.prisma and prisma/migrations disagree: change both together (lines are "kind name details")',
    );
  });

  it('reports a column a migration adds that schema.prisma lacks', async () => {
    const pool = await migratedDatabase('ALTER TABLE images ADD COLUMN caption_hint text');
    const drift = schemaDrift(await schemaDescription(schemaPath), await databaseDescription(pool));
    assert.deepEqual(drift.onlyInDatabase, ['column images.caption_hint text null']);
    assert.deepEqual(drift.onlyInSchema, []);
  });

  it('reports a field schema.prisma adds that no migration creates, and a changed type or default', async () => {
    const pool = await migratedDatabase();
    const edited = (await fs.readFile(schemaPath, 'utf8'))
      .replace('  mime          String\n', '  mime          String\n  captionHint   String? @map("caption_hint")\n')
      .replace('points Int     @default(0)', 'points Int     @default(1)');
    assert.notEqual(edited, await fs.readFile(schemaPath, 'utf8'), 'the test edits must apply to schema.prisma');
    const editedPath = path.join(dataDir, 'edited.prisma');
    await fs.writeFile(editedPath, edited);
    const drift = schemaDrift(await schemaDescription(editedPath), await databaseDescription(pool));
    assert.deepEqual(drift.onlyInSchema, ['column images.caption_hint text null', 'default rate_limits.points 1']);
    assert.deepEqual(drift.onlyInDatabase, ['default rate_limits.points 0']);
  });

  it('enforces the stars range of limits.ts in the database', async () => {
    const pool = await migratedDatabase();
    const { rows } = await pool.query<{ definition: string }>(
      `SELECT pg_get_constraintdef(oid) AS definition FROM pg_constraint WHERE conname = 'ratings_stars_check'`,
    );
    assert.equal(rows[0]?.definition, `CHECK (((stars >= ${STARS.min}) AND (stars <= ${STARS.max})))`);
  });
});
