// CSRF defence for the proxies: a state-changing request (anything but GET/HEAD) must come from a page of this
// origin. Browsers say so in Sec-Fetch-Site, and in Origin (compared with the Host the request was sent to);
// requests without either (curl, server code) are not a browser being tricked, so they pass.
import type { NextRequest } from 'next/server';

export function isCrossOriginWrite(request: NextRequest): boolean {
  if (request.method === 'GET' || request.method === 'HEAD') return false;
  const site = request.headers.get('sec-fetch-site');
  if (site === 'cross-site' || site === 'same-site') return true;
  const origin = request.headers.get('origin');
  if (!origin) return false;
  const host = request.headers.get('x-forwarded-host') ?? request.headers.get('host');
  try {
    return new URL(origin).host !== host;
  } catch {
    return true; // "null" (sandboxed frames, file://) or garbage
  }
}
