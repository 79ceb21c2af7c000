// Every error leaving /graphql has one of our codes. Expected errors (ApiError, or the model/db errors mapped by
// toApiError) keep their message; GraphQL's own request errors keep theirs; anything else is logged and masked.
import { unwrapResolverError } from '@apollo/server/errors';
import type { GraphQLFormattedError } from 'graphql';
import { ApiError } from '../errors.js';
import { toApiError } from '../to-api-error.js';

const passThrough = new Set(['GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED', 'BAD_USER_INPUT', 'BAD_REQUEST']);

export function makeFormatError(log: (message: string) => void) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const mapped = toApiError(unwrapResolverError(error));
    if (mapped instanceof ApiError) {
      const { http: _http, ...extensions } = (mapped.extensions ?? {}) as Record<string, unknown>;
      return {
        message: mapped.message,
        ...(formatted.locations ? { locations: formatted.locations } : {}),
        ...(formatted.path ? { path: formatted.path } : {}),
        extensions: { ...extensions, code: mapped.code },
      };
    }
    const code = formatted.extensions?.code;
    if (typeof code === 'string' && passThrough.has(code)) {
      return {
        message: formatted.message,
        ...(formatted.locations ? { locations: formatted.locations } : {}),
        extensions: { code },
      };
    }
    if (typeof code === 'string' && code.startsWith('PERSISTED_QUERY')) {
      return { message: formatted.message, extensions: { code: 'BAD_REQUEST' } };
    }
    if (code === 'OPERATION_RESOLUTION_FAILURE') {
      return { message: formatted.message, extensions: { code: 'BAD_REQUEST' } };
    }
    const original = unwrapResolverError(error);
    log(
      `Internal error${formatted.path ? ` at ${formatted.path.join('.')}` : ''}: ${original instanceof Error ? (original.stack ?? original.message) : String(original)}`,
    );
    return {
      message: 'Something went wrong on the server; it has been logged. Try again, and report it if it persists.',
      ...(formatted.path ? { path: formatted.path } : {}),
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    };
  };
}
