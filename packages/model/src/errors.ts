// The one error type this package throws for expected failures. `code` is stable so callers
// (the API) can map it to their own error codes without parsing messages.

export type CaptionerErrorCode =
  | 'IMAGE_EMPTY'
  | 'IMAGE_TOO_LARGE'
  | 'IMAGE_DIMENSIONS_TOO_LARGE'
  | 'UNSUPPORTED_IMAGE'
  | 'CORRUPT_IMAGE'
  | 'INVALID_DECODE_OPTIONS'
  | 'MODEL_NOT_FOUND'
  | 'MODEL_FILE_MISSING'
  | 'MODEL_FILE_CORRUPT'
  | 'MODEL_MANIFEST_INVALID'
  | 'MODEL_FORMAT_UNSUPPORTED'
  | 'MODEL_GRAPH_MISMATCH';

export class CaptionerError extends Error {
  readonly code: CaptionerErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(
    code: CaptionerErrorCode,
    message: string,
    options: { details?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CaptionerError';
    this.code = code;
    this.details = options.details;
  }
}

export function isCaptionerError(value: unknown): value is CaptionerError {
  return value instanceof CaptionerError;
}
