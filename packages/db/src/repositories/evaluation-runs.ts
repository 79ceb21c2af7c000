// Evaluation runs (corpus BLEU, CIDEr-D and ROUGE-L of a model over a dataset split): queued -> running -> succeeded | failed.
// The database allows one queued/running run per model + dataset + split + settings (a partial unique index),
// so starting an identical run joins the active one instead.
import type { Prisma } from '../../generated/prisma/client.js';
import { EVALUATION_RUN_SELECT } from '../columns.js';
import { isUuid, run, type DbContext } from '../context.js';
import { decodeSettingsKey } from '../decode-settings.js';
import { ConstraintViolationError, InvalidInputError, NotFoundError } from '../errors.js';
import { claimOldestQueuedRun, countSharedImages, largestDisagreements } from '../sql/evaluation-runs.js';
import type {
  CaptionDisagreement as CaptionDisagreementRecord,
  EvaluationResult,
  EvaluationRunRecord,
  EvaluationStatus,
  NewEvaluationRun,
  Split,
} from '../types.js';

type RunRow = Prisma.EvaluationRunGetPayload<{ select: typeof EVALUATION_RUN_SELECT }>;

const ACTIVE: EvaluationStatus[] = ['queued', 'running'];

/** The stored row as the record: BLEU-1..4 as one array (all four are written together). */
function toRecord({ bleu1, bleu2, bleu3, bleu4, ...row }: RunRow): EvaluationRunRecord {
  const bleu: EvaluationRunRecord['bleu'] =
    bleu1 === null ? null : [bleu1, bleu2 as number, bleu3 as number, bleu4 as number];
  return { ...(row as Omit<EvaluationRunRecord, 'bleu'>), bleu };
}

export function evaluationRunsRepository(ctx: DbContext) {
  async function getById(id: string): Promise<EvaluationRunRecord | null> {
    if (!isUuid(id)) return null;
    const row = await run(() => ctx.prisma.evaluationRun.findUnique({ where: { id }, select: EVALUATION_RUN_SELECT }));
    return row ? toRecord(row) : null;
  }

  /** Applies a status change allowed only from `from` (one UPDATE ... WHERE status IN ...); explains a refusal. */
  async function transition(
    id: string,
    from: EvaluationStatus[],
    data: Prisma.EvaluationRunUpdateManyMutationInput,
    action: string,
  ): Promise<EvaluationRunRecord> {
    if (!isUuid(id)) throw new NotFoundError('evaluation run', id);
    const [row] = await run(() =>
      ctx.prisma.evaluationRun.updateManyAndReturn({
        where: { id, status: { in: from } },
        data: { ...data, updatedAt: new Date() },
        select: EVALUATION_RUN_SELECT,
      }),
    );
    if (row) return toRecord(row);
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
      const key = { modelId: input.modelId, dataset: input.dataset ?? null, split: input.split, settingsKey };
      // Loops only if the active run finished between our refused insert and our read.
      for (let attempt = 0; attempt < 5; attempt++) {
        try {
          const created = await run(() =>
            ctx.prisma.evaluationRun.create({
              data: { ...key, settings: input.settings, metricVersion: input.metricVersion },
              select: EVALUATION_RUN_SELECT,
            }),
          );
          return { run: toRecord(created), joined: false };
        } catch (error) {
          // The partial unique index evaluation_runs_one_active_idx: an identical run is queued or running.
          if (!(error instanceof ConstraintViolationError && error.constraint === 'evaluation_runs_one_active_idx')) {
            throw error;
          }
        }
        const active = await run(() =>
          ctx.prisma.evaluationRun.findFirst({
            where: { ...key, status: { in: ACTIVE } },
            select: EVALUATION_RUN_SELECT,
          }),
        );
        if (active) return { run: toRecord(active), joined: true };
      }
      throw new Error('Could not start or join the evaluation run: it kept finishing concurrently. Try again.');
    },

    /** Takes the oldest queued run and marks it running; safe with several workers (SKIP LOCKED). */
    async claimNext(): Promise<EvaluationRunRecord | null> {
      const id = await claimOldestQueuedRun(ctx);
      return id === null ? null : getById(id);
    },

    /** Marks this queued run running; null when it is not queued (someone else took it). */
    async claim(id: string): Promise<EvaluationRunRecord | null> {
      if (!isUuid(id)) return null;
      const now = new Date();
      const [row] = await run(() =>
        ctx.prisma.evaluationRun.updateManyAndReturn({
          where: { id, status: 'queued' },
          data: { status: 'running', startedAt: now, updatedAt: now },
          select: EVALUATION_RUN_SELECT,
        }),
      );
      return row ? toRecord(row) : null;
    },

    /**
     * Marks a queued run running, or takes over a running one whose worker was lost (its job was retried); the
     * progress stays, so the run continues where it was. Null when the run is finished or unknown.
     */
    async resume(id: string): Promise<EvaluationRunRecord | null> {
      if (!isUuid(id)) return null;
      const now = new Date();
      await run(() =>
        ctx.prisma.evaluationRun.updateMany({
          where: { id, status: 'queued' },
          data: { status: 'running', startedAt: now, updatedAt: now },
        }),
      );
      const row = await getById(id);
      return row && row.status === 'running' ? row : null;
    },

    /** Runs not finished yet (queued or running), oldest first. */
    async listUnfinished(): Promise<EvaluationRunRecord[]> {
      const rows = await run(() =>
        ctx.prisma.evaluationRun.findMany({
          where: { status: { in: ['queued', 'running'] } },
          orderBy: { createdAt: 'asc' },
          select: EVALUATION_RUN_SELECT,
        }),
      );
      return rows.map(toRecord);
    },

    setTotal: (id: string, total: number) => transition(id, ['running'], { total }, 'set the total of'),

    progress: (id: string, progress: { done: number; reusedCaptions?: number }) =>
      transition(
        id,
        ['running'],
        {
          done: progress.done,
          ...(progress.reusedCaptions === undefined ? {} : { reusedCaptions: progress.reusedCaptions }),
        },
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
      const [bleu1, bleu2, bleu3, bleu4] = bleu;
      return transition(
        id,
        ['running'],
        {
          status: 'succeeded',
          bleu1,
          bleu2,
          bleu3,
          bleu4,
          cider: cider.value,
          ciderVersion: cider.version,
          rougeL: rougeL.value,
          rougeLVersion: rougeL.version,
          error: null,
          finishedAt: new Date(),
        },
        'finish',
      );
    },

    fail: (id: string, message: string) =>
      transition(
        id,
        ['queued', 'running'],
        {
          status: 'failed',
          error: message.trim() === '' ? 'failed without a message' : message,
          finishedAt: new Date(),
        },
        'fail',
      ),

    /**
     * Puts runs left 'running' by a process that stopped back in the queue, progress reset (cached
     * captions make the re-run cheap). Call once at start-up, before starting workers.
     */
    async requeueInterrupted(): Promise<EvaluationRunRecord[]> {
      const rows = await run(() =>
        ctx.prisma.evaluationRun.updateManyAndReturn({
          where: { status: 'running' },
          data: { status: 'queued', done: 0, reusedCaptions: 0, startedAt: null, updatedAt: new Date() },
          select: EVALUATION_RUN_SELECT,
        }),
      );
      return rows.map(toRecord);
    },

    getById,

    /** Newest first. */
    async list(
      options: { modelId?: string | null; split?: Split | null; status?: EvaluationStatus | null; first?: number } = {},
    ): Promise<EvaluationRunRecord[]> {
      const first = options.first ?? 50;
      if (!Number.isInteger(first) || first < 1 || first > 500) {
        throw new InvalidInputError(`first must be a whole number from 1 to 500 (got ${first}).`);
      }
      const rows = await run(() =>
        ctx.prisma.evaluationRun.findMany({
          where: {
            ...(options.modelId ? { modelId: options.modelId } : {}),
            ...(options.split ? { split: options.split } : {}),
            ...(options.status ? { status: options.status } : {}),
          },
          orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
          take: first,
          select: EVALUATION_RUN_SELECT,
        }),
      );
      return rows.map(toRecord);
    },

    /**
     * The newest succeeded run of each model + dataset + split + settings (dataset is never '' (a CHECK), so
     * grouping on it as stored, NULL included, is grouping on COALESCE(dataset, '')).
     */
    async latestSucceeded(): Promise<EvaluationRunRecord[]> {
      const rows = await run(() =>
        ctx.prisma.evaluationRun.findMany({
          where: { status: 'succeeded' },
          distinct: ['modelId', 'dataset', 'split', 'settingsKey'],
          orderBy: [
            { modelId: 'asc' },
            { dataset: { sort: 'asc', nulls: 'first' } },
            { split: 'asc' },
            { settingsKey: 'asc' },
            { finishedAt: 'desc' },
            { id: 'desc' },
          ],
          select: EVALUATION_RUN_SELECT,
        }),
      );
      return rows.map(toRecord);
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
      const [sharedImages, disagreements] = await Promise.all([
        countSharedImages(ctx, runAId, runBId),
        largestDisagreements(ctx, runAId, runBId, first),
      ]);
      return { sharedImages, disagreements };
    },
  };
}

export type EvaluationRunsRepository = ReturnType<typeof evaluationRunsRepository>;
