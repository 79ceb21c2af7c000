// POST/GET /graphql through Apollo Server's HTTP-agnostic entry point (executeHTTPGraphQLRequest), so the
// GraphQL endpoint lives on the same plain node:http server as /upload, /media and /health.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HeaderMap, type ApolloServer } from '@apollo/server';
import { VOTER_SESSION_HEADER } from '../auth/voter-sessions.js';
import { createContext, type Context, type Services } from '../graphql/context.js';
import { clientAddress } from '../rate-limits/client-address.js';
import { adminStatus } from '../auth/admin.js';
import { BodyTooLargeError, closeAfterResponse, readBody } from './respond.js';

const maxQueryBytes = 1024 * 1024;

function graphqlError(res: ServerResponse, status: number, code: string, message: string): void {
  const text = JSON.stringify({ errors: [{ message, extensions: { code } }] });
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

export async function handleGraphql(
  apollo: ApolloServer<Context>,
  services: Services,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  const headers = new HeaderMap();
  for (const [key, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
  }
  let body: unknown = undefined;
  if (req.method === 'POST') {
    let raw: Buffer;
    try {
      raw = await readBody(req, maxQueryBytes);
    } catch (error) {
      if (error instanceof BodyTooLargeError) {
        closeAfterResponse(res);
        return graphqlError(
          res,
          413,
          'PAYLOAD_TOO_LARGE',
          `GraphQL requests are limited to ${maxQueryBytes} bytes; send a smaller query or variables.`,
        );
      }
      throw error;
    }
    const type = headers.get('content-type') ?? '';
    if (type.startsWith('application/json') || type.startsWith('application/graphql-response+json')) {
      if (raw.length === 0)
        return graphqlError(res, 400, 'BAD_REQUEST', 'The request body is empty; send {"query": "..."} as JSON.');
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        return graphqlError(
          res,
          400,
          'BAD_REQUEST',
          'The request body is not valid JSON; send {"query": "...", "variables": {...}}.',
        );
      }
    } else {
      // Apollo answers non-JSON bodies itself (CSRF prevention refuses simple content types).
      body = raw.toString('utf8');
    }
  }
  const voterId = services.voterSessions.verify(req.headers[VOTER_SESSION_HEADER]);
  // Read-only gallery queries may be answered from the response cache (JSON POSTs only: those passed CSRF checks).
  // Identical requests arriving while one is computed wait for it instead of all computing (single flight).
  const cacheKey =
    req.method === 'POST' && body !== undefined && typeof body !== 'string'
      ? services.cache.keyFor(body, voterId)
      : null;
  if (cacheKey) {
    const hit = services.cache.get(cacheKey) ?? (await services.cache.inFlight.get(cacheKey));
    if (hit) {
      res.writeHead(200, {
        'content-type': 'application/json; charset=utf-8',
        'content-length': Buffer.byteLength(hit),
        'x-cache': 'hit',
      });
      res.end(hit);
      return;
    }
  }
  const version = services.cache.currentVersion;
  let settle: (body: string | null) => void = () => undefined;
  if (cacheKey) services.cache.inFlight.set(cacheKey, new Promise((resolve) => (settle = resolve)));
  let response: Awaited<ReturnType<typeof apollo.executeHTTPGraphQLRequest>>;
  try {
    response = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: (req.method ?? 'GET').toUpperCase(), headers, search: url.search, body },
      context: async () =>
        createContext(services, {
          voterId,
          clientAddress: clientAddress(req, services.config.trustedProxies),
          admin: adminStatus(services.config.adminToken, req.headers.authorization),
        }),
    });
  } catch (error) {
    settle(null);
    throw error;
  } finally {
    if (cacheKey) services.cache.inFlight.delete(cacheKey);
  }
  const cacheable =
    cacheKey &&
    (response.status ?? 200) === 200 &&
    response.body.kind === 'complete' &&
    response.body.string.startsWith('{"data"');
  if (cacheable && response.body.kind === 'complete') {
    services.cache.set(cacheKey, response.body.string, version);
    settle(response.body.string);
  } else settle(null);
  for (const [key, value] of response.headers) res.setHeader(key, value);
  res.statusCode = response.status ?? 200;
  if (response.body.kind === 'complete') {
    res.end(response.body.string);
    return;
  }
  for await (const chunk of response.body.asyncIterator) res.write(chunk);
  res.end();
}
