// GraphQL from the browser: always through the web's same-origin /graphql proxy (it adds the voter header), with
// the admin token when one was entered in this tab (admin operations need it).
import { readAdminToken } from './admin-token';
import type { TypedDocumentString } from '@/generated/graphql';
import { ApiError, requestBody, unwrapGraphQL, type VariablesArg } from './graphql-error';

export async function clientQuery<TResult, TVariables>(
  query: TypedDocumentString<TResult, TVariables>,
  ...[variables]: VariablesArg<TVariables>
): Promise<TResult> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  const adminToken = readAdminToken();
  if (adminToken) headers.authorization = `Bearer ${adminToken}`;
  let response: Response;
  try {
    response = await fetch('/graphql', {
      method: 'POST',
      headers,
      body: requestBody(query, variables),
    });
  } catch {
    throw new ApiError('The network request failed. Check your connection and try again.', 'NETWORK');
  }
  const body: unknown = await response.json().catch(() => null);
  return unwrapGraphQL<TResult>(body, response.status);
}
