// The progress events one process sends and every API process receives through PostgreSQL NOTIFY (live/
// progress-bus.ts). Small JSON: ids and counts. Evaluation runs and captions are in the database, so their events
// only say what changed; import jobs live in the memory of the process that runs them, so their events carry the
// whole job (what `importJob` answers), letting other replicas serve it too.
import { z } from 'zod';
import type { ImportJob } from '../datasets/import-jobs.js';

/** PostgreSQL refuses NOTIFY payloads of 8000 bytes or more. */
export const MAX_PAYLOAD_BYTES = 7999;
/** Longest import error kept in an event; the rest of a long message is cut so the payload fits. */
const MAX_ERROR_CHARS = 1000;

const importJobSchema = z.object({
  id: z.string(),
  path: z.string(),
  format: z.enum(['flickr8k', 'karpathy', 'kaggle']),
  dataset: z.string(),
  status: z.enum(['running', 'succeeded', 'failed']),
  total: z.number().int(),
  processed: z.number().int(),
  created: z.number().int(),
  skipped: z.number().int(),
  failed: z.number().int(),
  error: z.string().nullable(),
  startedAt: z.iso.datetime(),
  finishedAt: z.iso.datetime().nullable(),
});

const eventSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('import'), job: importJobSchema }),
  z.object({
    kind: z.literal('evaluation'),
    runId: z.string(),
    status: z.enum(['queued', 'running', 'succeeded', 'failed']),
    done: z.number().int(),
    total: z.number().int(),
  }),
  // A caption of the image was stored (captionId), or making it failed (error).
  z.object({
    kind: z.literal('caption'),
    imageId: z.string(),
    modelId: z.string(),
    captionId: z.string().nullable(),
    error: z.string().nullable(),
  }),
]);

export type ProgressEvent = z.infer<typeof eventSchema>;
/** An import job as it travels: dates as ISO strings. */
export type ImportJobSnapshot = z.infer<typeof importJobSchema>;

const cut = (text: string | null, chars: number) =>
  text === null || text.length <= chars ? text : `${text.slice(0, chars - 1)}…`;

/** The NOTIFY payload of an event; long error messages are shortened so it stays under PostgreSQL's limit. */
export function encodeProgressEvent(event: ProgressEvent): string {
  let shortened: ProgressEvent = event;
  if (event.kind === 'import')
    shortened = { ...event, job: { ...event.job, error: cut(event.job.error, MAX_ERROR_CHARS) } };
  if (event.kind === 'caption') shortened = { ...event, error: cut(event.error, MAX_ERROR_CHARS) };
  const text = JSON.stringify(shortened);
  if (Buffer.byteLength(text) > MAX_PAYLOAD_BYTES) {
    // Only an import path of several kilobytes gets here; the job's counts matter more than its error text.
    if (shortened.kind === 'import' && shortened.job.error !== null) {
      return encodeProgressEvent({ ...shortened, job: { ...shortened.job, error: cut(shortened.job.error, 80) } });
    }
    throw new Error(`A progress event of ${Buffer.byteLength(text)} bytes does not fit PostgreSQL's NOTIFY limit.`);
  }
  return text;
}

/** The event in a payload, or null for anything else on the channel (another version, another sender). */
export function decodeProgressEvent(payload: string): ProgressEvent | null {
  let value: unknown;
  try {
    value = JSON.parse(payload);
  } catch {
    return null;
  }
  const parsed = eventSchema.safeParse(value);
  return parsed.success ? parsed.data : null;
}

/** What an import job's events carry (all of it but the per-file failure list, which the schema does not serve). */
export function importJobSnapshot(job: {
  id: string;
  path: string;
  format: ImportJobSnapshot['format'];
  dataset: string;
  status: ImportJobSnapshot['status'];
  total: number;
  processed: number;
  created: number;
  skipped: number;
  failed: number;
  error: string | null;
  startedAt: Date;
  finishedAt: Date | null;
}): ImportJobSnapshot {
  return {
    id: job.id,
    path: job.path,
    format: job.format,
    dataset: job.dataset,
    status: job.status,
    total: job.total,
    processed: job.processed,
    created: job.created,
    skipped: job.skipped,
    failed: job.failed,
    error: job.error,
    startedAt: job.startedAt.toISOString(),
    finishedAt: job.finishedAt?.toISOString() ?? null,
  };
}

/** The job as resolvers see it (import-jobs.ts's shape; the failure list stays with the process that ran it). */
export function importJobFromSnapshot(job: ImportJobSnapshot | null): ImportJob | null {
  if (!job) return null;
  return {
    ...job,
    startedAt: new Date(job.startedAt),
    finishedAt: job.finishedAt ? new Date(job.finishedAt) : null,
    failures: [],
  };
}
