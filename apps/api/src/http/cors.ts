// Explicit CORS. Browsers on the origins in CAPTIONER_CORS_ORIGINS may call the API directly (GraphQL and media);
// any other origin gets no CORS headers, so its pages cannot read the API's answers, and its preflights are
// refused. The gallery itself needs none: it reaches the API through its own server (same origin).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendError } from './respond.js';

const allowedMethods = 'GET, POST, OPTIONS';
const allowedHeaders = 'content-type, authorization, x-voter-session, apollo-require-preflight';

/** Adds CORS headers for a listed origin; answers preflights. True when the request has been answered. */
export function handleCors(req: IncomingMessage, res: ServerResponse, allowedOrigins: readonly string[]): boolean {
  const origin = req.headers.origin;
  const allowed = origin !== undefined && allowedOrigins.includes(origin);
  res.setHeader('Vary', 'Origin');
  if (allowed) res.setHeader('Access-Control-Allow-Origin', origin);
  if (req.method !== 'OPTIONS') return false;
  if (!allowed) {
    sendError(
      res,
      'FORBIDDEN',
      `Origin ${origin ?? '(none)'} may not call this API from a browser; list it in CAPTIONER_CORS_ORIGINS.`,
    );
    return true;
  }
  res.writeHead(204, {
    'Access-Control-Allow-Methods': allowedMethods,
    'Access-Control-Allow-Headers': allowedHeaders,
    'Access-Control-Max-Age': '600',
  });
  res.end();
  return true;
}
