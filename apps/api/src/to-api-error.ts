// Maps the expected errors of @captioner/model and @captioner/db to the API's closed set of codes.
// Anything unrecognised is returned unchanged (formatError masks it as INTERNAL_SERVER_ERROR).
import { isCaptionerError } from '@captioner/model';
import { ConstraintViolationError, InvalidInputError, NotFoundError } from '@captioner/db';
import { ApiError, type ErrorCode } from './errors.js';
import { QueueClosedError } from './captioning/caption-queue.js';
import { DatasetError } from './datasets/read-dataset.js';

const modelCodes: Record<string, ErrorCode> = {
  IMAGE_EMPTY: 'BAD_USER_INPUT',
  IMAGE_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  IMAGE_DIMENSIONS_TOO_LARGE: 'IMAGE_TOO_LARGE',
  UNSUPPORTED_IMAGE: 'UNSUPPORTED_IMAGE',
  CORRUPT_IMAGE: 'UNSUPPORTED_IMAGE',
  INVALID_DECODE_OPTIONS: 'BAD_USER_INPUT',
  MODEL_NOT_FOUND: 'NOT_FOUND',
};

export function toApiError(error: unknown): unknown {
  if (error instanceof ApiError) return error;
  if (isCaptionerError(error)) {
    const code = modelCodes[error.code] ?? 'MODEL_UNAVAILABLE';
    return new ApiError(code, error.message, { reason: error.code });
  }
  if (error instanceof NotFoundError) {
    return new ApiError('NOT_FOUND', `${error.message} Check the id.`, { entity: error.entity, id: error.id });
  }
  if (error instanceof ConstraintViolationError || error instanceof InvalidInputError) {
    return new ApiError('BAD_USER_INPUT', error.message);
  }
  if (error instanceof QueueClosedError) return new ApiError('SHUTTING_DOWN', error.message);
  if (error instanceof DatasetError) return new ApiError('BAD_USER_INPUT', error.message);
  return error;
}

/** For HTTP endpoints and background logs: a code and a message safe to show. */
export function describeError(error: unknown): { code: ErrorCode; message: string } {
  const mapped = toApiError(error);
  if (mapped instanceof ApiError) return { code: mapped.code, message: mapped.message };
  return {
    code: 'INTERNAL_SERVER_ERROR',
    message: 'Something went wrong on the server; it has been logged. Try again.',
  };
}
