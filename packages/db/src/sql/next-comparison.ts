// Raw SQL: a random pair of captions of two different models on one image the voter has not judged.
// Prisma cannot express it: a self-join of captions (a.id < b.id, different models) ordered by random().
import { z } from 'zod';
import { rawRows, type DbContext } from '../context.js';
import type { Split } from '../types.js';

const Row = z.object({ imageId: z.string(), captionAId: z.string(), captionBId: z.string() });

export async function randomUnjudgedPair(
  ctx: DbContext,
  voterId: string,
  split: Split | null,
): Promise<z.output<typeof Row> | null> {
  const [row] = await rawRows(
    ctx,
    Row,
    `SELECT a.image_id AS "imageId", a.id AS "captionAId", b.id AS "captionBId"
     FROM captions a
     JOIN captions b ON b.image_id = a.image_id AND a.id < b.id AND a.model_id <> b.model_id
     ${split ? 'JOIN images i ON i.id = a.image_id AND i.split = $2' : ''}
     WHERE NOT EXISTS (SELECT 1 FROM preferences p WHERE p.voter_id = $1 AND p.image_id = a.image_id)
     ORDER BY random() LIMIT 1`,
    split ? [voterId, split] : [voterId],
  );
  return row ?? null;
}
