// Same-origin proxy to the API, used by the /graphql, /media/* and /api/upload route handlers so the browser
// only ever talks to the web origin. Streams bodies both ways and adds the voter session header from the cookie.
import type { NextRequest } from 'next/server';
import { apiOrigin } from './api-origin';
import { isCrossOriginWrite } from './same-origin';
import { VOTER_COOKIE, VOTER_SESSION_HEADER, isWellFormedVoterSession } from './voter';

// Request headers worth passing on; cookies and hop-by-hop headers stay here.
// `authorization` carries an admin's token (lib/admin-token.ts) and is only ever sent by the browser itself.
const FORWARDED_REQUEST_HEADERS = [
  'content-type',
  'content-length',
  'accept',
  'if-none-match',
  'if-modified-since',
  'authorization',
];
// fetch() already decoded the body, so the encoding and length headers would lie.
const DROPPED_RESPONSE_HEADERS = ['content-encoding', 'content-length', 'transfer-encoding', 'connection'];

export async function forwardToApi(request: NextRequest, apiPath: string): Promise<Response> {
  if (isCrossOriginWrite(request)) {
    const message = 'Cross-origin requests that change data are refused; use the gallery itself.';
    // In the shape of the endpoint's own errors: GraphQL's list, or /upload's single error.
    return Response.json(
      apiPath === '/graphql'
        ? { errors: [{ message, extensions: { code: 'FORBIDDEN' } }] }
        : { results: [], error: { code: 'FORBIDDEN', message } },
      { status: 403 },
    );
  }
  const headers = new Headers();
  for (const name of FORWARDED_REQUEST_HEADERS) {
    const value = request.headers.get(name);
    if (value !== null) headers.set(name, value);
  }
  const voter = request.cookies.get(VOTER_COOKIE)?.value;
  if (isWellFormedVoterSession(voter)) headers.set(VOTER_SESSION_HEADER, voter);
  // The API rate-limits per client address and trusts x-forwarded-for only from the web (CAPTIONER_TRUSTED_PROXIES).
  const forwardedFor = request.headers.get('x-forwarded-for');
  if (forwardedFor) headers.set('x-forwarded-for', forwardedFor);

  const hasBody = request.method !== 'GET' && request.method !== 'HEAD';
  let upstream: Response;
  try {
    upstream = await fetch(`${apiOrigin}${apiPath}${request.nextUrl.search}`, {
      method: request.method,
      headers,
      body: hasBody ? request.body : undefined,
      // Node's fetch needs this to stream a request body.
      ...(hasBody ? { duplex: 'half' } : {}),
      redirect: 'manual',
      cache: 'no-store',
    } as RequestInit);
  } catch (error) {
    return Response.json(
      {
        errors: [
          {
            message: `The caption service at ${apiOrigin} is not reachable (${(error as Error).message}). Try again in a moment.`,
            extensions: { code: 'API_UNREACHABLE' },
          },
        ],
      },
      { status: 502 },
    );
  }
  const responseHeaders = new Headers(upstream.headers);
  for (const name of DROPPED_RESPONSE_HEADERS) responseHeaders.delete(name);
  return new Response(upstream.body, { status: upstream.status, headers: responseHeaders });
}
