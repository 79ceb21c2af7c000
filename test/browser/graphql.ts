// A tiny GraphQL client for setting up and checking state from the test itself (straight to the API), with
// documents generated from the schema (`graphql(...)`, npm run codegen) typing the data and variables.
import type { TypedDocumentString } from '../generated/graphql.js';

export async function gql<T, V>(
  apiUrl: string,
  query: TypedDocumentString<T, V>,
  variables?: V,
  /** A signed token from POST /voter-session (mutations that need a voter); the admin token (admin operations). */
  as: { voterSession?: string; adminToken?: string } = {},
): Promise<T> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (as.voterSession) headers['x-voter-session'] = as.voterSession;
  if (as.adminToken) headers.authorization = `Bearer ${as.adminToken}`;
  const response = await fetch(`${apiUrl}/graphql`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ query: query.toString(), variables: variables ?? {} }),
  });
  const body = (await response.json()) as { data?: T; errors?: { message: string }[] };
  if (body.errors?.length) throw new Error(`GraphQL error: ${body.errors.map((e) => e.message).join('; ')}`);
  if (!body.data) throw new Error(`GraphQL answered HTTP ${response.status} without data`);
  return body.data;
}

export async function waitUntil<T>(
  what: string,
  probe: () => Promise<T | null | undefined | false>,
  timeoutMs: number,
  describeState: () => string = () => '',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value) return value;
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  const state = describeState();
  throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}${state ? ` (last seen: ${state})` : ''}`);
}
