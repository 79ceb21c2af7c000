// GraphQL from the browser: always through the web's same-origin /graphql proxy (it adds the voter header), with
// the admin token when one was entered in this tab (admin operations need it).
import { readAdminToken } from './admin-token';
import { ApiError, unwrapGraphQL } from './graphql-error';

export async function clientQuery<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  const adminToken = readAdminToken();
  if (adminToken) headers.authorization = `Bearer ${adminToken}`;
  let response: Response;
  try {
    response = await fetch('/graphql', {
      method: 'POST',
      headers,
      body: JSON.stringify({ query, variables }),
    });
  } catch {
    throw new ApiError('The network request failed. Check your connection and try again.', 'NETWORK');
  }
  const body: unknown = await response.json().catch(() => null);
  return unwrapGraphQL<T>(body, response.status);
}
