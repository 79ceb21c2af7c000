// One error type for failed GraphQL calls, carrying the API's `extensions.code` so the UI can react to it.
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
