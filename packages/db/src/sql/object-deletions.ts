// Raw SQL: draining image_object_deletions. Raw because Prisma cannot lock rows (FOR UPDATE SKIP LOCKED): the
// claimed keys stay locked while their objects are deleted, so a writer that is about to use a key it recorded
// beforehand (deleting that record in its own transaction) waits, then finds the record gone and gives up instead
// of pointing a row at deleted objects; concurrent drains skip each other's keys.
import type pg from 'pg';
import type { DbContext } from '../context.js';
import { translated } from '../pg-errors.js';

export interface ClaimedDeletion {
  objectKey: string;
  /** A row still names the key (cannot happen by construction); its objects are kept, only the record goes. */
  inUse: boolean;
}

/**
 * Claims up to `limit` due deletions (only `keys` when given) in a transaction, runs `deleteObjects` on them, then
 * removes their records and commits. If `deleteObjects` throws, nothing is removed and the records stay for the
 * next drain. Returns the claimed keys.
 */
export async function drainDeletions(
  ctx: DbContext,
  options: { limit: number; keys?: readonly string[] },
  deleteObjects: (claimed: ClaimedDeletion[]) => Promise<void>,
): Promise<ClaimedDeletion[]> {
  const client: pg.PoolClient = await translated(() => ctx.pool.connect());
  try {
    await client.query('BEGIN');
    const { rows } = await client.query<{ object_key: string; in_use: boolean }>(
      `SELECT d.object_key,
              EXISTS (SELECT 1 FROM images i WHERE i.object_key = d.object_key) AS in_use
         FROM image_object_deletions d
        WHERE d.not_before <= now() AND ($2::text[] IS NULL OR d.object_key = ANY ($2::text[]))
        ORDER BY d.not_before
        LIMIT $1
          FOR UPDATE OF d SKIP LOCKED`,
      [options.limit, options.keys ?? null],
    );
    const claimed = rows.map((row) => ({ objectKey: row.object_key, inUse: row.in_use }));
    if (claimed.length > 0) {
      await deleteObjects(claimed);
      await client.query('DELETE FROM image_object_deletions WHERE object_key = ANY ($1::text[])', [
        claimed.map((c) => c.objectKey),
      ]);
    }
    await client.query('COMMIT');
    return claimed;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}
