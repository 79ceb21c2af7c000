// Explicit CORS. Browsers on the origins in CAPTIONER_CORS_ORIGINS may call the API directly (GraphQL and media);
// any other origin gets no CORS headers, so its pages cannot read the API's answers, and its preflights are
// refused. The gallery itself needs none: it reaches the API through its own server (same origin).
import type { FastifyReply, FastifyRequest } from 'fastify';
import { sendError } from './respond.js';

const allowedMethods = 'GET, POST, OPTIONS';
const allowedHeaders = 'content-type, authorization, x-voter-session, apollo-require-preflight';

/** An onRequest hook: adds CORS headers for a listed origin and answers preflights itself. */
export function corsHook(allowedOrigins: readonly string[]) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const origin = request.headers.origin;
    const allowed = origin !== undefined && allowedOrigins.includes(origin);
    reply.header('vary', 'Origin');
    if (allowed) reply.header('access-control-allow-origin', origin);
    if (request.method !== 'OPTIONS') return;
    if (!allowed) {
      return sendError(
        reply,
        'FORBIDDEN',
        `Origin ${origin ?? '(none)'} may not call this API from a browser; list it in CAPTIONER_CORS_ORIGINS.`,
      );
    }
    return reply
      .code(204)
      .headers({
        'access-control-allow-methods': allowedMethods,
        'access-control-allow-headers': allowedHeaders,
        'access-control-max-age': '600',
      })
      .send();
  };
}
