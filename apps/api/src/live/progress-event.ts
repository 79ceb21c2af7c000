// The progress events one process sends and every API process receives through PostgreSQL NOTIFY (live/
// progress-bus.ts). Small JSON: ids and counts. Import jobs, evaluation runs and captions are in the database, so
// their events only say what changed; subscribers read the rest from there.
import { z } from 'zod';

/** PostgreSQL refuses NOTIFY payloads of 8000 bytes or more. */
export const MAX_PAYLOAD_BYTES = 7999;
/** Longest error kept in an event; the rest of a long message is cut so the payload fits. */
const MAX_ERROR_CHARS = 1000;

const eventSchema = z.discriminatedUnion('kind', [
  // An import job's row changed (written by whichever process runs it).
  z.object({
    kind: z.literal('import'),
    jobId: z.string(),
    status: z.enum(['queued', 'running', 'succeeded', 'failed']),
    processed: z.number().int(),
    total: z.number().int(),
  }),
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
    /** The decode settings of the caption (absent from older senders). */
    beamSize: z.number().int().optional(),
    maxLength: z.number().int().optional(),
    captionId: z.string().nullable(),
    error: z.string().nullable(),
  }),
  // Jobs were queued on this queue: workers fetch now instead of at their next poll.
  z.object({ kind: z.literal('jobs'), queue: z.string() }),
]);

export type ProgressEvent = z.infer<typeof eventSchema>;

const cut = (text: string | null, chars: number) =>
  text === null || text.length <= chars ? text : `${text.slice(0, chars - 1)}…`;

/** The NOTIFY payload of an event; long error messages are shortened so it stays under PostgreSQL's limit. */
export function encodeProgressEvent(event: ProgressEvent): string {
  let shortened: ProgressEvent = event;
  if (event.kind === 'caption') shortened = { ...event, error: cut(event.error, MAX_ERROR_CHARS) };
  const text = JSON.stringify(shortened);
  if (Buffer.byteLength(text) > MAX_PAYLOAD_BYTES) {
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

/** The event saying an import job's row changed. */
export function importJobEvent(job: {
  id: string;
  status: 'queued' | 'running' | 'succeeded' | 'failed';
  processed: number;
  total: number;
}): ProgressEvent {
  return { kind: 'import', jobId: job.id, status: job.status, processed: job.processed, total: job.total };
}
