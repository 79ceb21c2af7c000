// GraphQL from the browser: always through the web's same-origin /graphql proxy (it adds the voter header).
import { ApiError, unwrapGraphQL } from './graphql-error';

export async function clientQuery<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
  let response: Response;
  try {
    response = await fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query, variables }),
    });
  } catch {
    throw new ApiError('The network request failed. Check your connection and try again.', 'NETWORK');
  }
  const body: unknown = await response.json().catch(() => null);
  return unwrapGraphQL<T>(body, response.status);
}
