// The closed set of error codes clients see (GraphQL `extensions.code` and the HTTP endpoints' `error.code`).
// Expected failures throw ApiError; anything else is masked as INTERNAL_SERVER_ERROR by formatError.
import { GraphQLError } from 'graphql';

export const errorCodes = [
  'BAD_USER_INPUT',
  'NOT_FOUND',
  'UNSUPPORTED_IMAGE',
  'IMAGE_TOO_LARGE',
  'PAYLOAD_TOO_LARGE',
  'MODEL_UNAVAILABLE',
  'CONFLICT',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'RATE_LIMITED',
  'QUERY_TOO_COMPLEX',
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'SHUTTING_DOWN',
  /** Queued work did not finish within the wait; it stays queued. */
  'STILL_RUNNING',
  'INTERNAL_SERVER_ERROR',
] as const;
export type ErrorCode = (typeof errorCodes)[number];

const httpStatusByCode: Record<ErrorCode, number> = {
  BAD_USER_INPUT: 400,
  NOT_FOUND: 404,
  UNSUPPORTED_IMAGE: 415,
  IMAGE_TOO_LARGE: 413,
  PAYLOAD_TOO_LARGE: 413,
  MODEL_UNAVAILABLE: 503,
  CONFLICT: 409,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  RATE_LIMITED: 429,
  QUERY_TOO_COMPLEX: 400,
  GRAPHQL_PARSE_FAILED: 400,
  GRAPHQL_VALIDATION_FAILED: 400,
  BAD_REQUEST: 400,
  SHUTTING_DOWN: 503,
  STILL_RUNNING: 503,
  INTERNAL_SERVER_ERROR: 500,
};

/** An expected failure with a message a person can act on. */
export class ApiError extends GraphQLError {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, extra: Record<string, unknown> = {}) {
    super(message, { extensions: { code, ...extra } });
    this.code = code;
  }
  get httpStatus(): number {
    return httpStatusByCode[this.code];
  }
}

export const httpStatusFor = (code: ErrorCode): number => httpStatusByCode[code];

export const notFound = (what: string, id: string): ApiError =>
  new ApiError('NOT_FOUND', `No ${what} with id "${id}". Check the id (list them with the ${what}s query).`, { id });

export const badInput = (message: string, field?: string): ApiError =>
  new ApiError('BAD_USER_INPUT', message, field ? { field } : {});

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (errorCodes as readonly string[]).includes(value);
}
