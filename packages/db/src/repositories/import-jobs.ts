// Dataset import jobs: queued (by the API) -> running (by a worker, in any process) -> succeeded | failed, with the
// progress written as it goes. The partial unique index import_jobs_one_active_idx allows one queued/running job
// per path, so two replicas starting the same import cannot both succeed.
import type { Prisma } from '../../generated/prisma/client.js';
import { IMPORT_JOB_SELECT } from '../columns.js';
import { isUuid, run, type DbContext } from '../context.js';
import { ConstraintViolationError, ImportJobConflictError, InvalidInputError, NotFoundError } from '../errors.js';
import { IMPORT_FAILURES_KEPT } from '../limits.js';
import type { ImportJobProgress, ImportJobRecord, ImportJobStatus, NewImportJob } from '../types.js';

type JobRow = Prisma.ImportJobGetPayload<{ select: typeof IMPORT_JOB_SELECT }>;

const UNFINISHED: ImportJobStatus[] = ['queued', 'running'];

/** The row as the record; `failures` is checked to be what progress() writes (a list of strings). */
function toRecord(row: JobRow): ImportJobRecord {
  const failures = row.failures;
  if (!Array.isArray(failures) || !failures.every((entry) => typeof entry === 'string')) {
    throw new Error(`Import job ${row.id} has failures that are not a list of strings; it was not written by us.`);
  }
  return { ...(row as Omit<ImportJobRecord, 'failures'>), failures: failures as string[] };
}

function checkProgress(progress: ImportJobProgress): void {
  if (!Array.isArray(progress.failures) || progress.failures.some((entry) => typeof entry !== 'string')) {
    throw new InvalidInputError('Import failures must be a list of strings ("file: reason").');
  }
  if (progress.failures.length > IMPORT_FAILURES_KEPT) {
    throw new InvalidInputError(
      `An import job keeps at most ${IMPORT_FAILURES_KEPT} failures (got ${progress.failures.length}); count the rest in failed.`,
    );
  }
}

export function importJobsRepository(ctx: DbContext) {
  async function get(id: string): Promise<ImportJobRecord | null> {
    if (!isUuid(id)) return null;
    const row = await run(() => ctx.prisma.importJob.findUnique({ where: { id }, select: IMPORT_JOB_SELECT }));
    return row ? toRecord(row) : null;
  }

  /** Applies a change allowed only from the statuses in `from` (one UPDATE ... WHERE); explains a refusal. */
  async function transition(
    id: string,
    from: ImportJobStatus[],
    data: Prisma.ImportJobUpdateManyMutationInput,
    action: string,
  ): Promise<ImportJobRecord> {
    if (!isUuid(id)) throw new NotFoundError('import job', id);
    const [row] = await run(() =>
      ctx.prisma.importJob.updateManyAndReturn({
        where: { id, status: { in: from } },
        data: { ...data, updatedAt: new Date() },
        select: IMPORT_JOB_SELECT,
      }),
    );
    if (row) return toRecord(row);
    const current = await get(id);
    if (!current) throw new NotFoundError('import job', id);
    throw new InvalidInputError(
      `Cannot ${action} import job ${id}: it is ${current.status}, not ${from.join(' or ')}.`,
    );
  }

  return {
    /**
     * Stores a queued job. Throws ImportJobConflictError when a job of the same path is queued or running (the
     * database decides, so concurrent starts in different processes give one job).
     */
    async create(input: NewImportJob): Promise<ImportJobRecord> {
      try {
        const row = await run(() =>
          ctx.prisma.importJob.create({
            data: {
              path: input.path,
              format: input.format,
              dataset: input.dataset,
              splits: input.splits ?? [],
              importLimit: input.importLimit ?? null,
              caption: input.caption ?? false,
            },
            select: IMPORT_JOB_SELECT,
          }),
        );
        return toRecord(row);
      } catch (error) {
        if (!(error instanceof ConstraintViolationError && error.constraint === 'import_jobs_one_active_idx')) {
          throw error;
        }
        const active = await run(() =>
          ctx.prisma.importJob.findFirst({
            where: { path: input.path, status: { in: UNFINISHED } },
            select: { id: true },
          }),
        );
        throw new ImportJobConflictError(input.path, active?.id ?? null, { cause: error });
      }
    },

    get,

    /**
     * Marks the job running. A running job may be marked again: a worker resuming it after its previous worker
     * stopped (the queue hands a job to one worker at a time); it keeps its first startedAt.
     */
    async markRunning(id: string): Promise<ImportJobRecord> {
      if (isUuid(id)) {
        const [row] = await run(() =>
          ctx.prisma.importJob.updateManyAndReturn({
            where: { id, status: 'queued', startedAt: null },
            data: { status: 'running', startedAt: new Date(), updatedAt: new Date() },
            select: IMPORT_JOB_SELECT,
          }),
        );
        if (row) return toRecord(row);
      }
      return transition(id, UNFINISHED, { status: 'running' }, 'run');
    },

    /** Writes the counts and the capped failure list of a running job. */
    async progress(id: string, progress: ImportJobProgress): Promise<ImportJobRecord> {
      checkProgress(progress);
      const { total, processed, created, skipped, failed, failures } = progress;
      return transition(
        id,
        ['running'],
        { total, processed, created, skipped, failed, failures },
        'report progress of',
      );
    },

    /** Ends a queued or running job; a failed one needs its error message. */
    async finish(id: string, status: 'succeeded' | 'failed', error: string | null = null): Promise<ImportJobRecord> {
      if (status === 'failed' && (error === null || error.trim() === '')) {
        throw new InvalidInputError('A failed import job needs an error message saying why.');
      }
      return transition(
        id,
        UNFINISHED,
        { status, error: status === 'failed' ? error : null, finishedAt: new Date() },
        'finish',
      );
    },

    /**
     * Puts a running job back in the queue, its progress kept (a worker stopped between images; the next run
     * skips what is stored).
     */
    requeue: (id: string): Promise<ImportJobRecord> => transition(id, ['running'], { status: 'queued' }, 'requeue'),

    /** Queued and running jobs, oldest first (a queue resuming after a restart, a status page). */
    async listUnfinished(): Promise<ImportJobRecord[]> {
      const rows = await run(() =>
        ctx.prisma.importJob.findMany({
          where: { status: { in: UNFINISHED } },
          orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
          select: IMPORT_JOB_SELECT,
        }),
      );
      return rows.map(toRecord);
    },
  };
}

export type ImportJobsRepository = ReturnType<typeof importJobsRepository>;
