// GraphQL from server components: straight to the API (no proxy hop), forwarding the visitor's voter session.
import { cookies } from 'next/headers';
import { apiOrigin } from './api-origin';
import type { TypedDocumentString } from '@/generated/graphql';
import { ApiError, requestBody, unwrapGraphQL, type VariablesArg } from './graphql-error';
import { VOTER_COOKIE, VOTER_SESSION_HEADER, isWellFormedVoterSession } from './voter';

export async function serverQuery<TResult, TVariables>(
  query: TypedDocumentString<TResult, TVariables>,
  ...[variables]: VariablesArg<TVariables>
): Promise<TResult> {
  const voter = (await cookies()).get(VOTER_COOKIE)?.value;
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (isWellFormedVoterSession(voter)) headers[VOTER_SESSION_HEADER] = voter;
  let response: Response;
  try {
    response = await fetch(`${apiOrigin}/graphql`, {
      method: 'POST',
      headers,
      body: requestBody(query, variables),
      cache: 'no-store',
    });
  } catch (error) {
    throw new ApiError(
      `Could not reach the caption service at ${apiOrigin} (${(error as Error).message}). ` +
        'Start the API (npm start) or set CAPTIONER_API_URL to where it runs.',
      'API_UNREACHABLE',
    );
  }
  const body: unknown = await response.json().catch(() => null);
  return unwrapGraphQL<TResult>(body, response.status);
}
