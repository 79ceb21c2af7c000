// Turns PostgreSQL's refusals (from pg directly or from Prisma's pg adapter) into our typed errors
// with messages a person can act on. Anything else is returned unchanged.
import { ConstraintViolationError, DatabaseError, InvalidInputError, NotFoundError } from './errors.js';
import { STARS } from './limits.js';

// What each named rule means, in words; the constraint names are those of prisma/migrations.
const RULES: Record<string, string> = {
  images_sha256_key: 'An image with these bytes (same SHA-256) is already stored.',
  images_sha256_check: 'An image SHA-256 must be 64 lowercase hex characters.',
  images_mime_check: 'An image MIME type must start with "image/".',
  images_thumbnail_mime_check: 'A thumbnail MIME type must start with "image/".',
  images_byte_size_check: 'An image must have at least one byte.',
  images_dimensions_check: 'Image width and height must be positive.',
  images_source_check: 'An image source must be "upload" or "dataset".',
  images_split_check: 'A split must be "train", "val" or "test".',
  images_dataset_check: 'A dataset name must not be empty.',
  images_storage_check:
    "An image's bytes live in exactly one place: storage 'postgres' with bytes and thumbnail, or 's3' with an object key.",
  images_object_key_key: 'Another image already uses this object-storage key.',
  image_object_deletions_object_key_check: 'An object-storage key must not be empty.',
  reference_captions_text_check: 'A reference caption must not be blank.',
  reference_captions_position_check: 'A reference caption position must not be negative.',
  models_id_check: 'A model id must be lowercase letters, digits, ".", "_" or "-" (e.g. "shapes-lstm").',
  models_variant_check: 'A model variant must be "lstm" or "attention".',
  models_format_check: 'A manifest format must be 1 or more.',
  captions_image_model_settings_key: 'This image already has a caption by this model with these decode settings.',
  captions_settings_key_check: 'Decode settings must not be empty.',
  captions_token_ids_check: 'A caption needs one token id per token.',
  captions_log_prob_check: 'A log-probability cannot be positive.',
  captions_sentence_bleu_check: 'Sentence BLEU must lie between 0 and 1.',
  captions_latency_ms_check: 'Latency cannot be negative.',
  ratings_stars_check: `A rating must be a whole number of stars from ${STARS.min} to ${STARS.max}.`,
  ratings_voter_id_check: 'A voter id must be 1 to 200 characters.',
  preferences_pair_order_check: 'A preference needs two different captions.',
  preferences_distinct_models_check: 'A preference compares captions of two different models.',
  preferences_winner_check: 'A preference winner must be "A", "B" or "TIE".',
  preferences_voter_id_check: 'A voter id must be 1 to 200 characters.',
  preferences_caption_a_fkey: 'Caption A is not a caption of this image.',
  preferences_caption_b_fkey: 'Caption B is not a caption of this image.',
  evaluation_runs_status_check: 'An evaluation status must be queued, running, succeeded or failed.',
  evaluation_runs_progress_check: 'Evaluation progress must satisfy 0 <= reused <= done <= total.',
  evaluation_runs_bleu_check: 'BLEU scores must lie between 0 and 1.',
  evaluation_runs_succeeded_check: 'A succeeded evaluation run needs all four BLEU scores.',
  evaluation_runs_failed_check: 'A failed evaluation run needs an error message.',
  evaluation_runs_split_check: 'A split must be "train", "val" or "test".',
  evaluation_runs_dataset_check: 'A dataset name must not be empty.',
  evaluation_runs_settings_key_check: 'Decode settings must not be empty.',
  evaluation_runs_one_active_idx: 'An identical evaluation run is already queued or running.',
  import_jobs_path_check: 'An import path must not be empty.',
  import_jobs_format_check: 'An import format must be flickr8k, karpathy or kaggle.',
  import_jobs_dataset_check: 'A dataset name must not be empty.',
  import_jobs_splits_check: 'Import splits must be "train", "val" or "test".',
  import_jobs_limit_check: 'An import limit must not be negative.',
  import_jobs_status_check: 'An import status must be queued, running, succeeded or failed.',
  import_jobs_progress_check: 'Import progress must satisfy created + skipped + failed = processed <= total.',
  import_jobs_failures_check: 'Import failures must be a JSON array.',
  import_jobs_failed_check: 'A failed import job needs an error message.',
  import_jobs_one_active_idx: 'An import of this path is already queued or running.',
};

// Foreign keys whose violation means "you referenced something that does not exist".
const MISSING_TARGET: Record<string, string> = {
  reference_captions_image_id_fkey: 'image',
  captions_image_id_fkey: 'image',
  captions_model_id_fkey: 'model',
  ratings_caption_id_fkey: 'caption',
  preferences_image_id_fkey: 'image',
  evaluation_runs_model_id_fkey: 'model',
};

interface PgLikeError {
  code?: string;
  constraint?: string;
  detail?: string;
  message: string;
}

/** Digs the PostgreSQL error out of pg's or Prisma's error object. */
function pgErrorOf(error: unknown): PgLikeError | null {
  if (!(error instanceof Error)) return null;
  // Prisma's errors carry a code too (P2003...), so look for the adapter's PostgreSQL error first.
  const cause = (error as { meta?: { driverAdapterError?: { cause?: Record<string, unknown> } } }).meta
    ?.driverAdapterError?.cause;
  if (cause && typeof cause.originalCode === 'string') {
    const message = String(cause.originalMessage ?? error.message);
    const constraint =
      (cause.constraint as { index?: string } | undefined)?.index ?? /constraint "([^"]+)"/.exec(message)?.[1];
    return { code: cause.originalCode, constraint, detail: cause.detail as string | undefined, message };
  }
  const direct = error as Error & { code?: unknown; constraint?: string; detail?: string };
  if (typeof direct.code === 'string' && /^[0-9A-Z]{5}$/.test(direct.code)) {
    return { code: direct.code, constraint: direct.constraint, detail: direct.detail, message: direct.message };
  }
  return null;
}

/**
 * `knownIds`: the id the caller passed per entity, for "not found" errors: Prisma's pg adapter drops
 * PostgreSQL's detail line, which is where a foreign key violation names the missing id.
 */
export function translateDbError(error: unknown, knownIds: Record<string, string> = {}): unknown {
  if (error instanceof DatabaseError) return error;
  const pgError = pgErrorOf(error);
  if (!pgError) return error;
  const constraint = pgError.constraint ?? null;
  switch (pgError.code) {
    case '23503': {
      const entity = constraint ? MISSING_TARGET[constraint] : undefined;
      if (entity) {
        const id = /\)=\(([^)]*)\)/.exec(pgError.detail ?? '')?.[1] ?? knownIds[entity] ?? '?';
        return new NotFoundError(entity, id, { cause: error });
      }
      const rule = constraint ? RULES[constraint] : undefined;
      return new ConstraintViolationError(constraint, rule ?? `Refused by the database: ${pgError.message}.`, {
        cause: error,
      });
    }
    case '23505':
    case '23514':
    case '23502':
    case '23P01': {
      const rule = constraint ? RULES[constraint] : undefined;
      return new ConstraintViolationError(constraint, rule ?? `Refused by the database: ${pgError.message}.`, {
        cause: error,
      });
    }
    case '22P02':
    case '22003':
    case '22023':
    case '22021':
      return new InvalidInputError(`Invalid value: ${pgError.message}.`);
    default:
      return error;
  }
}

/** Runs a database call, rethrowing PostgreSQL refusals as our typed errors. */
export async function translated<T>(work: () => Promise<T>, knownIds?: Record<string, string>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw translateDbError(error, knownIds);
  }
}
