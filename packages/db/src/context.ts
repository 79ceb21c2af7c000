// What every repository gets: Prisma Client for typed reads and the pg pool it runs on, for the writes
// and aggregates that need SQL Prisma cannot express (ON CONFLICT, keyset pages, tsvector search).
import type pg from 'pg';
import type { PrismaClient } from '../generated/prisma/client.js';
import { translated } from './pg-errors.js';

export interface DbContext {
  prisma: PrismaClient;
  pool: pg.Pool;
}

export async function sql<Row extends object>(ctx: DbContext, text: string, params: unknown[] = []): Promise<Row[]> {
  return translated(async () => (await ctx.pool.query<Row>(text, params)).rows);
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
