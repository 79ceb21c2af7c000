// What every repository gets: Prisma Client for the data access, and the pg pool it runs on for the
// few statements Prisma cannot express (listed in README.md; they live in src/sql/).
import type pg from 'pg';
import type { z } from 'zod';
import type { PrismaClient } from '../generated/prisma/client.js';
import { translated } from './pg-errors.js';

export interface DbContext {
  prisma: PrismaClient;
  pool: pg.Pool;
}

/** Runs a Prisma Client call, rethrowing PostgreSQL refusals as our typed errors. */
export const run = translated;

/**
 * Runs one raw statement and checks every row against `row`, so a statement and the type its callers
 * see cannot drift apart silently.
 */
export async function rawRows<Schema extends z.ZodType>(
  ctx: DbContext,
  row: Schema,
  text: string,
  params: unknown[] = [],
): Promise<z.output<Schema>[]> {
  const rows = await translated(async () => (await ctx.pool.query(text, params)).rows as unknown[]);
  return rows.map((value) => {
    const parsed = row.safeParse(value);
    if (parsed.success) return parsed.data;
    throw new Error(
      `A raw SQL statement returned a row its schema does not describe (${parsed.error.message}); the statement ` +
        `and its row schema in packages/db/src/sql/ disagree. Statement: ${text.replace(/\s+/g, ' ').slice(0, 200)}`,
    );
  });
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Ids are UUIDs; anything else cannot name a row, so lookups answer null without asking PostgreSQL. */
export const isUuid = (id: string): boolean => UUID.test(id);

/** Collects positional parameters while building a statement. */
export class Params {
  readonly values: unknown[] = [];
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}
