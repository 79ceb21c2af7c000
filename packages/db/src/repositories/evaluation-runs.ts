// Evaluation runs (corpus BLEU, CIDEr-D and ROUGE-L of a model over a dataset split): queued -> running -> succeeded | failed.
// The database allows one queued/running run per model + dataset + split + settings, so starting an
// identical run joins the active one instead.
import { isUuid, Params, sql, type DbContext } from '../context.js';
import { decodeSettingsKey } from '../decode-settings.js';
import { InvalidInputError, NotFoundError } from '../errors.js';
import type {
  CaptionDisagreement as CaptionDisagreementRecord,
  EvaluationResult,
  EvaluationRunRecord,
  EvaluationStatus,
  NewEvaluationRun,
  Split,
} from '../types.js';

const RUN_COLUMNS = `e.id, e.model_id AS "modelId", e.dataset, e.split, e.settings_key AS "settingsKey", e.settings,
  e.status, e.done, e.total, e.reused_captions AS "reusedCaptions",
  CASE WHEN e.bleu1 IS NULL THEN NULL ELSE ARRAY[e.bleu1, e.bleu2, e.bleu3, e.bleu4] END AS bleu,
  e.metric_version AS "metricVersion", e.cider, e.cider_version AS "ciderVersion", e.rouge_l AS "rougeL",
  e.rouge_l_version AS "rougeLVersion", e.error, e.created_at AS "createdAt", e.updated_at AS "updatedAt",
  e.started_at AS "startedAt", e.finished_at AS "finishedAt"`;

const ACTIVE = `e.status IN ('queued', 'running')`;

export function evaluationRunsRepository(ctx: DbContext) {
  async function getById(id: string): Promise<EvaluationRunRecord | null> {
    if (!isUuid(id)) return null;
    const [row] = await sql<EvaluationRunRecord>(ctx, `SELECT ${RUN_COLUMNS} FROM evaluation_runs e WHERE e.id = $1`, [
      id,
    ]);
    return row ?? null;
  }

  /** Applies a status change allowed only from `from`; explains why when the run is elsewhere. */
  async function transition(
    id: string,
    from: EvaluationStatus[],
    set: string,
    values: unknown[],
    action: string,
  ): Promise<EvaluationRunRecord> {
    if (!isUuid(id)) throw new NotFoundError('evaluation run', id);
    // `set` numbers its own parameters from $1; they follow id and from here.
    const assignments = set.replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) + 2}`);
    const [row] = await sql<EvaluationRunRecord>(
      ctx,
      `UPDATE evaluation_runs e SET ${assignments}, updated_at = now()
       WHERE e.id = $1 AND e.status = ANY($2::text[]) RETURNING ${RUN_COLUMNS}`,
      [id, from, ...values],
    );
    if (row) return row;
    const current = await getById(id);
    if (!current) throw new NotFoundError('evaluation run', id);
    throw new InvalidInputError(
      `Cannot ${action} evaluation run ${id}: it is ${current.status}, not ${from.join(' or ')}.`,
    );
  }

  return {
    /** Queues a run, or returns the identical queued/running one with `joined: true`. */
    async startOrJoin(input: NewEvaluationRun): Promise<{ run: EvaluationRunRecord; joined: boolean }> {
      const settingsKey = decodeSettingsKey(input.settings);
      const key = [input.modelId, input.dataset ?? null, input.split, settingsKey];
      // Loops only if the active run finished between our insert and our read.
      for (let attempt = 0; attempt < 5; attempt++) {
        const [created] = await sql<EvaluationRunRecord>(
          ctx,
          `INSERT INTO evaluation_runs AS e (model_id, dataset, split, settings_key, settings, metric_version)
           VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT (model_id, (COALESCE(dataset, '')), split, settings_key) WHERE status IN ('queued', 'running')
           DO NOTHING
           RETURNING ${RUN_COLUMNS}`,
          [...key, JSON.stringify(input.settings), input.metricVersion],
        );
        if (created) return { run: created, joined: false };
        const [active] = await sql<EvaluationRunRecord>(
          ctx,
          `SELECT ${RUN_COLUMNS} FROM evaluation_runs e
           WHERE e.model_id = $1 AND COALESCE(e.dataset, '') = COALESCE($2, '') AND e.split = $3
             AND e.settings_key = $4 AND ${ACTIVE}`,
          key,
        );
        if (active) return { run: active, joined: true };
      }
      throw new Error('Could not start or join the evaluation run: it kept finishing concurrently. Try again.');
    },

    /** Takes the oldest queued run and marks it running; safe with several workers (SKIP LOCKED). */
    async claimNext(): Promise<EvaluationRunRecord | null> {
      const [row] = await sql<EvaluationRunRecord>(
        ctx,
        `UPDATE evaluation_runs e SET status = 'running', started_at = now(), updated_at = now()
         WHERE e.id = (SELECT q.id FROM evaluation_runs q WHERE q.status = 'queued'
                       ORDER BY q.created_at, q.id FOR UPDATE SKIP LOCKED LIMIT 1)
         RETURNING ${RUN_COLUMNS}`,
      );
      return row ?? null;
    },

    /** Marks this queued run running; null when it is not queued (someone else took it). */
    async claim(id: string): Promise<EvaluationRunRecord | null> {
      if (!isUuid(id)) return null;
      const [row] = await sql<EvaluationRunRecord>(
        ctx,
        `UPDATE evaluation_runs e SET status = 'running', started_at = now(), updated_at = now()
         WHERE e.id = $1 AND e.status = 'queued' RETURNING ${RUN_COLUMNS}`,
        [id],
      );
      return row ?? null;
    },

    setTotal: (id: string, total: number) => transition(id, ['running'], 'total = $1', [total], 'set the total of'),

    progress: (id: string, progress: { done: number; reusedCaptions?: number }) =>
      transition(
        id,
        ['running'],
        'done = $1, reused_captions = COALESCE($2, e.reused_captions)',
        [progress.done, progress.reusedCaptions ?? null],
        'report progress of',
      ),

    succeed: (id: string, { bleu, cider, rougeL }: EvaluationResult) => {
      if (bleu.length !== 4 || bleu.some((value) => typeof value !== 'number' || !Number.isFinite(value))) {
        throw new InvalidInputError('An evaluation result needs four finite BLEU scores (BLEU-1..4).');
      }
      for (const [name, score] of [
        ['CIDEr-D', cider],
        ['ROUGE-L', rougeL],
      ] as const) {
        if (!Number.isFinite(score.value) || score.version.trim() === '') {
          throw new InvalidInputError(`An evaluation result needs a finite ${name} score and its definition version.`);
        }
      }
      return transition(
        id,
        ['running'],
        `status = 'succeeded', bleu1 = $1, bleu2 = $2, bleu3 = $3, bleu4 = $4, cider = $5, cider_version = $6,
         rouge_l = $7, rouge_l_version = $8, error = NULL, finished_at = now()`,
        [...bleu, cider.value, cider.version, rougeL.value, rougeL.version],
        'finish',
      );
    },

    fail: (id: string, message: string) =>
      transition(
        id,
        ['queued', 'running'],
        `status = 'failed', error = $1, finished_at = now()`,
        [message.trim() === '' ? 'failed without a message' : message],
        'fail',
      ),

    /**
     * Puts runs left 'running' by a process that stopped back in the queue, progress reset (cached
     * captions make the re-run cheap). Call once at start-up, before starting workers.
     */
    requeueInterrupted(): Promise<EvaluationRunRecord[]> {
      return sql<EvaluationRunRecord>(
        ctx,
        `UPDATE evaluation_runs e SET status = 'queued', done = 0, reused_captions = 0, started_at = NULL,
           updated_at = now()
         WHERE e.status = 'running' RETURNING ${RUN_COLUMNS}`,
      );
    },

    getById,

    /** Newest first. */
    list(
      options: { modelId?: string | null; split?: Split | null; status?: EvaluationStatus | null; first?: number } = {},
    ) {
      const first = options.first ?? 50;
      if (!Number.isInteger(first) || first < 1 || first > 500) {
        throw new InvalidInputError(`first must be a whole number from 1 to 500 (got ${first}).`);
      }
      const params = new Params();
      const where: string[] = [];
      if (options.modelId) where.push(`e.model_id = ${params.add(options.modelId)}`);
      if (options.split) where.push(`e.split = ${params.add(options.split)}`);
      if (options.status) where.push(`e.status = ${params.add(options.status)}`);
      return sql<EvaluationRunRecord>(
        ctx,
        `SELECT ${RUN_COLUMNS} FROM evaluation_runs e ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
         ORDER BY e.created_at DESC, e.id DESC LIMIT ${first}`,
        params.values,
      );
    },

    /** The newest succeeded run of each model + dataset + split + settings. */
    latestSucceeded(): Promise<EvaluationRunRecord[]> {
      return sql<EvaluationRunRecord>(
        ctx,
        `SELECT DISTINCT ON (e.model_id, COALESCE(e.dataset, ''), e.split, e.settings_key) ${RUN_COLUMNS}
         FROM evaluation_runs e WHERE e.status = 'succeeded'
         ORDER BY e.model_id, COALESCE(e.dataset, ''), e.split, e.settings_key, e.finished_at DESC, e.id DESC`,
      );
    },

    /**
     * Two runs side by side, image by image: the images in both runs' scope (split, dataset, with references)
     * that have a caption with each run's model and settings, both with a sentence BLEU. `disagreements` are the
     * `first` of them whose captions differ, largest |BLEU A - BLEU B| first.
     */
    async compareCaptions(
      runAId: string,
      runBId: string,
      first: number,
    ): Promise<{ sharedImages: number; disagreements: CaptionDisagreementRecord[] }> {
      if (!Number.isInteger(first) || first < 0 || first > 100) {
        throw new InvalidInputError(`first must be a whole number from 0 to 100 (got ${first}).`);
      }
      if (!isUuid(runAId) || !isUuid(runBId)) return { sharedImages: 0, disagreements: [] };
      const pairs = `
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
      const [counted] = await sql<{ sharedImages: number }>(
        ctx,
        `${pairs} SELECT count(*)::int AS "sharedImages" FROM pairs`,
        [runAId, runBId],
      );
      const disagreements = await sql<CaptionDisagreementRecord>(
        ctx,
        `${pairs} SELECT "imageId", "captionAId", "captionBId", "bleuDelta" FROM pairs WHERE differ
         ORDER BY abs("bleuDelta") DESC, "imageId" LIMIT ${first}`,
        [runAId, runBId],
      );
      return { sharedImages: counted?.sharedImages ?? 0, disagreements };
    },
  };
}

export type EvaluationRunsRepository = ReturnType<typeof evaluationRunsRepository>;
