// Gives every visitor an anonymous voter session cookie (issued and signed by the API, forwarded to it as
// x-voter-session), and forwards a POST /upload, which the API clients expect, to the API, since the page
// lives at /upload. (Forwarded from here: rewritten to /api/upload, a same-origin browser POST failed the
// same-origin check with 403; test/browser/web-security.test.ts posts it from a gallery page.)
import { NextResponse, type NextRequest } from 'next/server';
import { forwardToApi } from './lib/forward-to-api';
import { issueVoterSession } from './lib/issue-voter-session';
import { VOTER_COOKIE, isWellFormedVoterSession } from './lib/voter';

const ONE_YEAR_S = 60 * 60 * 24 * 365;

export async function proxy(request: NextRequest) {
  if (request.method === 'POST' && request.nextUrl.pathname === '/upload') {
    return forwardToApi(request, '/upload');
  }
  if (isWellFormedVoterSession(request.cookies.get(VOTER_COOKIE)?.value)) return NextResponse.next();

  const voter = await issueVoterSession(request.headers.get('x-forwarded-for'));
  if (!voter) return NextResponse.next();
  // Make the new id visible to this very request's server components too, not only to later requests.
  request.cookies.set(VOTER_COOKIE, voter);
  const response = NextResponse.next({ request: { headers: request.headers } });
  response.cookies.set(VOTER_COOKIE, voter, {
    httpOnly: true,
    sameSite: 'lax',
    secure: request.nextUrl.protocol === 'https:',
    path: '/',
    maxAge: ONE_YEAR_S,
  });
  return response;
}

export const config = {
  // Pages and the API proxies; not static assets or the media bytes.
  matcher: ['/((?!_next/static|_next/image|media/|favicon.ico).*)'],
};
