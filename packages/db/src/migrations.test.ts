// The migration runner against a real PostgreSQL: applies once, re-runs as a no-op, rolls a failing
// migration back completely, refuses edited migrations, serialises concurrent starters; and the
// hand-written SQL matches prisma/schema.prisma (Prisma Client can read every model).
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaClient } from '../generated/prisma/client.js';
import { startEmbeddedServer, type EmbeddedServer } from './embedded-server.js';
import { ConnectionError, InvalidInputError, MigrationError } from './errors.js';
import { applyMigrations, MIGRATIONS_TABLE, readMigrations } from './migrations.js';
import { openDatabase } from './open-database.js';
import { addCaption, addImage, addModel, makeTempDir, migrationsDir, removeDir } from './test-support.js';

let server: EmbeddedServer;
let dataDir: string;
let databaseCount = 0;
const pools: pg.Pool[] = [];

/** Test pools, ended after the suite; an idle client dropped by the server must not crash the run. */
function trackPool(pool: pg.Pool): pg.Pool {
  pool.on('error', () => {});
  pools.push(pool);
  return pool;
}

/** A pool on a new, empty database of the test server. */
async function freshDatabase(): Promise<{ pool: pg.Pool; url: string }> {
  const name = `migrations_${++databaseCount}`;
  const admin = new pg.Client({ connectionString: server.connectionString });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(server.connectionString);
  url.pathname = `/${name}`;
  const pool = trackPool(new pg.Pool({ connectionString: url.toString(), max: 3 }));
  return { pool, url: url.toString() };
}

/** Tables, columns, constraints and indexes of the public schema, as comparable text. */
async function schemaSnapshot(pool: pg.Pool): Promise<string[]> {
  const { rows } = await pool.query<{ item: string }>(`
    SELECT 'column ' || table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable AS item
      FROM information_schema.columns WHERE table_schema = 'public'
    UNION ALL
    SELECT 'constraint ' || conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(c.oid)
      FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace WHERE n.nspname = 'public'
    UNION ALL
    SELECT 'index ' || indexdef FROM pg_indexes WHERE schemaname = 'public'
    ORDER BY 1`);
  return rows.map((row) => row.item);
}

async function migrationsDirWith(extra: Record<string, string>): Promise<string> {
  const dir = await makeTempDir('captioner-migrations-');
  await fs.cp(migrationsDir, dir, { recursive: true });
  for (const [name, sql] of Object.entries(extra)) {
    await fs.mkdir(path.join(dir, name), { recursive: true });
    await fs.writeFile(path.join(dir, name, 'migration.sql'), sql);
  }
  return dir;
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

describe('migrations', () => {
  it('applies every migration once; running them again changes nothing', async () => {
    const { pool } = await freshDatabase();
    const names = (await readMigrations(migrationsDir)).map((migration) => migration.name);
    assert.ok(names.length >= 1);
    const first = await applyMigrations(pool, migrationsDir);
    assert.deepEqual(first, { applied: names, alreadyApplied: [] });
    const snapshot = await schemaSnapshot(pool);
    assert.ok(snapshot.some((item) => item.includes('ratings_stars_check')));

    const second = await applyMigrations(pool, migrationsDir);
    assert.deepEqual(second, { applied: [], alreadyApplied: names });
    assert.deepEqual(await schemaSnapshot(pool), snapshot);
    const { rows } = await pool.query(`SELECT name FROM ${MIGRATIONS_TABLE} ORDER BY name`);
    assert.deepEqual(
      rows.map((row: { name: string }) => row.name),
      names,
    );
  });

  it('rolls a failing migration back entirely and reports the SQL error', async () => {
    const { pool, url } = await freshDatabase();
    await applyMigrations(pool, migrationsDir);
    const before = await schemaSnapshot(pool);
    const broken = await migrationsDirWith({
      '29990101000000_broken': [
        'CREATE TABLE half_done (id integer);',
        'ALTER TABLE images ADD COLUMN extra integer;',
        'INSERT INTO no_such_table VALUES (1);',
      ].join('\n'),
    });
    try {
      await assert.rejects(applyMigrations(pool, broken), (error: unknown) => {
        assert.ok(error instanceof MigrationError);
        assert.equal(error.migration, '29990101000000_broken');
        assert.match(error.message, /no_such_table/);
        assert.match(error.message, /at line 3/);
        assert.match(error.message, /rolled back/);
        return true;
      });
      assert.deepEqual(await schemaSnapshot(pool), before);
      const { rowCount } = await pool.query(`SELECT 1 FROM ${MIGRATIONS_TABLE} WHERE name = '29990101000000_broken'`);
      assert.equal(rowCount, 0);
      // Start-up stops with the same error.
      await assert.rejects(openDatabase({ databaseUrl: url, migrationsDir: broken }), MigrationError);
      assert.deepEqual(await schemaSnapshot(pool), before);
    } finally {
      await removeDir(broken);
    }
  });

  it('refuses to start when an applied migration was edited', async () => {
    const { pool } = await freshDatabase();
    await applyMigrations(pool, migrationsDir);
    const edited = await migrationsDirWith({});
    try {
      const [firstName] = (await readMigrations(edited)).map((migration) => migration.name);
      await fs.appendFile(path.join(edited, firstName as string, 'migration.sql'), '\nCREATE TABLE sneaky (id int);\n');
      await assert.rejects(applyMigrations(pool, edited), /was edited after it was applied/);
      const { rowCount } = await pool.query(`SELECT 1 FROM pg_tables WHERE tablename = 'sneaky'`);
      assert.equal(rowCount, 0);
    } finally {
      await removeDir(edited);
    }
  });

  it('lets concurrent starters apply each migration exactly once', async () => {
    const { url } = await freshDatabase();
    const starters = Array.from({ length: 4 }, () => {
      return applyMigrations(trackPool(new pg.Pool({ connectionString: url, max: 1 })), migrationsDir);
    });
    const results = await Promise.all(starters);
    const names = (await readMigrations(migrationsDir)).map((migration) => migration.name);
    assert.deepEqual(results.flatMap((result) => result.applied).sort(), names);
  });

  it('leaves runs that succeeded before CIDEr-D and ROUGE-L existed unmeasured (null), not scored 0', async () => {
    const { pool, url } = await freshDatabase();
    const ciderMigration = '20261130193000_evaluation_cider_rouge';
    const earlier = await migrationsDirWith({});
    try {
      await fs.rm(path.join(earlier, ciderMigration), { recursive: true });
      await applyMigrations(pool, earlier);
      await pool.query(`INSERT INTO models (id, variant, dataset, format, manifest, params, metrics)
         VALUES ('old', 'lstm', 'shapes', 1, '{}', '{}', '{}')`);
      const { rows } = await pool.query<{ id: string }>(
        `INSERT INTO evaluation_runs (model_id, split, settings_key, settings, metric_version, status,
           bleu1, bleu2, bleu3, bleu4, finished_at)
         VALUES ('old', 'test', 'beamSize=3', '{}', 'bleu@1', 'succeeded', 0.5, 0.4, 0.3, 0.2, now()) RETURNING id`,
      );
      const db = await openDatabase({ databaseUrl: url, migrationsDir });
      try {
        assert.deepEqual(db.migrations.applied, [ciderMigration]);
        const run = await db.evaluationRuns.getById(rows[0]!.id);
        assert.deepEqual(
          [run?.bleu, run?.cider, run?.ciderVersion, run?.rougeL, run?.rougeLVersion],
          [[0.5, 0.4, 0.3, 0.2], null, null, null, null],
        );
      } finally {
        await db.close();
      }
    } finally {
      await removeDir(earlier);
    }
  });

  it('creates tables Prisma Client reads and writes for every model of schema.prisma', async () => {
    const { pool, url } = await freshDatabase();
    const db = await openDatabase({ databaseUrl: url, migrationsDir });
    const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
    try {
      // One row of every table, written through the repositories (SQL)...
      const [modelA, modelB] = [await addModel(db, 'shapes-lstm'), await addModel(db, 'shapes-attention', 'attention')];
      const image = await addImage(db);
      await db.references.add(image.id, ['a red circle']);
      const captionA = await addCaption(db, image.id, modelA.id);
      const captionB = await addCaption(db, image.id, modelB.id);
      await db.ratings.rate({ captionId: captionA.id, voterId: 'v', stars: 4 });
      await db.preferences.record({
        imageId: image.id,
        captionAId: captionA.id,
        captionBId: captionB.id,
        winner: 'B',
        voterId: 'v',
      });
      const { run } = await db.evaluationRuns.startOrJoin({
        modelId: modelA.id,
        split: 'test',
        settings: { beamSize: 3 },
        metricVersion: 'v1',
      });
      // ...is read back by Prisma Client with every scalar field of the model: a column whose name or
      // type disagrees with schema.prisma fails here.
      const images = await prisma.image.findMany();
      assert.deepEqual([images[0]?.id, images[0]?.width, images[0]?.split], [image.id, image.width, image.split]);
      assert.equal((await prisma.referenceCaption.findMany())[0]?.text, 'a red circle');
      assert.deepEqual(
        (await prisma.model.findMany({ orderBy: { id: 'asc' } })).map((model) => model.id),
        ['shapes-attention', 'shapes-lstm'],
      );
      const captions = await prisma.caption.findMany({ where: { id: captionA.id } });
      assert.deepEqual(
        [
          captions[0]?.tokens,
          captions[0]?.tokenIds,
          captions[0]?.logProb,
          captions[0]?.sentenceBleu,
          captions[0]?.settingsKey,
        ],
        [captionA.tokens, captionA.tokenIds, captionA.logProb, captionA.sentenceBleu, captionA.settingsKey],
      );
      assert.equal((await prisma.rating.findMany())[0]?.stars, 4);
      assert.equal((await prisma.preference.findMany()).length, 1);
      const runs = await prisma.evaluationRun.findMany();
      assert.deepEqual([runs[0]?.id, runs[0]?.status, runs[0]?.total], [run.id, 'queued', 0]);
      assert.deepEqual(
        [runs[0]?.cider, runs[0]?.ciderVersion, runs[0]?.rougeL, runs[0]?.rougeLVersion],
        [null, null, null, null],
      );
      // And Prisma can write through the same tables.
      const updated = await prisma.rating.update({
        where: { captionId_voterId: { captionId: captionA.id, voterId: 'v' } },
        data: { stars: 2 },
      });
      assert.equal(updated.stars, 2);
    } finally {
      await prisma.$disconnect();
      await db.close();
    }
  });
});

describe('connection', () => {
  it('fails start-up clearly when the external server is unreachable or the URL is wrong', async () => {
    const closedPort = Number(new URL(server.connectionString).port) + 1;
    await assert.rejects(
      openDatabase({ databaseUrl: `postgresql://u:secret@127.0.0.1:${closedPort}/db`, migrationsDir }),
      (error: unknown) => {
        assert.ok(error instanceof ConnectionError);
        assert.match(error.message, new RegExp(`127\\.0\\.0\\.1:${closedPort}/db.*DATABASE_URL`));
        assert.doesNotMatch(error.message, /secret/);
        return true;
      },
    );
    await assert.rejects(openDatabase({ databaseUrl: 'mysql://x@y/z', migrationsDir }), /must start with postgresql/);
    await assert.rejects(openDatabase({ databaseUrl: 'not a url', migrationsDir }), InvalidInputError);
  });
});
