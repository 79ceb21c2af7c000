// Raw SQL of evaluation runs: a queue claim with SKIP LOCKED, and the run-vs-run caption comparison.
import { z } from 'zod';
import { rawRows, type DbContext } from '../context.js';

const IdRow = z.object({ id: z.string() });

/**
 * Marks the oldest queued run running and returns its id; null when none is queued. Raw: Prisma has no
 * FOR UPDATE SKIP LOCKED, which lets several workers claim at once without taking the same run.
 */
export async function claimOldestQueuedRun(ctx: DbContext): Promise<string | null> {
  const [row] = await rawRows(
    ctx,
    IdRow,
    `UPDATE evaluation_runs e SET status = 'running', started_at = now(), updated_at = now()
     WHERE e.id = (SELECT q.id FROM evaluation_runs q WHERE q.status = 'queued'
                   ORDER BY q.created_at, q.id FOR UPDATE SKIP LOCKED LIMIT 1)
     RETURNING e.id`,
  );
  return row?.id ?? null;
}

// The images in both runs' scope (split, dataset, with references) with a scored caption by each run's model
// and settings. Raw: captions joined to themselves per image under conditions taken from two other rows,
// which Prisma's relation filters cannot state.
const PAIRS = `
  WITH a AS (SELECT * FROM evaluation_runs WHERE id = $1), b AS (SELECT * FROM evaluation_runs WHERE id = $2),
  pairs AS (
    SELECT i.id AS "imageId", ca.id AS "captionAId", cb.id AS "captionBId", ca.text <> cb.text AS differ,
           ca.sentence_bleu - cb.sentence_bleu AS "bleuDelta"
    FROM a, b, images i
    JOIN captions ca ON ca.image_id = i.id
    JOIN captions cb ON cb.image_id = i.id
    WHERE ca.model_id = a.model_id AND ca.settings_key = a.settings_key
      AND cb.model_id = b.model_id AND cb.settings_key = b.settings_key
      AND i.split = a.split AND i.split = b.split
      AND (a.dataset IS NULL OR i.dataset = a.dataset) AND (b.dataset IS NULL OR i.dataset = b.dataset)
      AND ca.sentence_bleu IS NOT NULL AND cb.sentence_bleu IS NOT NULL
      AND EXISTS (SELECT 1 FROM reference_captions r WHERE r.image_id = i.id)
  )`;

const CountRow = z.object({ sharedImages: z.number().int() });

/** How many images both runs captioned and scored (see PAIRS). */
export async function countSharedImages(ctx: DbContext, runAId: string, runBId: string): Promise<number> {
  const [row] = await rawRows(ctx, CountRow, `${PAIRS} SELECT count(*)::int AS "sharedImages" FROM pairs`, [
    runAId,
    runBId,
  ]);
  return row?.sharedImages ?? 0;
}

const DisagreementRow = z.object({
  imageId: z.string(),
  captionAId: z.string(),
  captionBId: z.string(),
  bleuDelta: z.number(),
});

/** The `first` shared images whose two captions differ, largest |BLEU A - BLEU B| first (ordered by an expression). */
export function largestDisagreements(ctx: DbContext, runAId: string, runBId: string, first: number) {
  return rawRows(
    ctx,
    DisagreementRow,
    `${PAIRS} SELECT "imageId", "captionAId", "captionBId", "bleuDelta" FROM pairs WHERE differ
     ORDER BY abs("bleuDelta") DESC, "imageId" LIMIT $3`,
    [runAId, runBId, first],
  );
}
