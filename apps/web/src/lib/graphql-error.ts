// One error type for failed GraphQL calls, carrying the API's `extensions.code` so the UI can react to it, and
// the typed request both callers (client-graphql.ts, server-graphql.ts) send.
import type { TypedDocumentString } from '@/generated/graphql';

/** The variables argument of a typed document: optional when the operation has no required variables. */
export type VariablesArg<TVariables> =
  Record<string, never> extends TVariables ? [variables?: TVariables] : [variables: TVariables];

/** The JSON body of a POST /graphql for a generated document (its text and the variables it declares). */
export function requestBody<TResult, TVariables>(
  query: TypedDocumentString<TResult, TVariables>,
  variables: TVariables | undefined,
): string {
  return JSON.stringify({ query: query.toString(), variables: variables ?? {} });
}
export interface GraphQLErrorShape {
  message: string;
  extensions?: { code?: string };
}

export class ApiError extends Error {
  readonly code: string;
  constructor(message: string, code = 'INTERNAL_SERVER_ERROR') {
    super(message);
    this.name = 'ApiError';
    this.code = code;
  }
}

/** Turns a GraphQL response body into its data, or throws the first error with its code. */
export function unwrapGraphQL<T>(body: unknown, status: number): T {
  const parsed = body as { data?: T | null; errors?: GraphQLErrorShape[] } | null;
  const first = parsed?.errors?.[0];
  if (first) throw new ApiError(first.message, first.extensions?.code);
  if (!parsed || parsed.data === undefined || parsed.data === null) {
    throw new ApiError(`The caption service answered HTTP ${status} without data.`);
  }
  return parsed.data;
}
