// POST/GET /graphql through Apollo's Fastify integration. Around it: request-level errors in GraphQL's shape
// (body too large, empty or invalid JSON), non-JSON bodies handed to Apollo as text so its CSRF prevention
// answers them, and the response cache for read-only queries (single flight: identical requests arriving while
// one is computed wait for it).
import type { ApolloServer } from '@apollo/server';
import { fastifyApolloHandler } from '@as-integrations/fastify';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { adminStatus } from '../auth/admin.js';
import { VOTER_SESSION_HEADER } from '../auth/voter-sessions.js';
import { createContext, type Context, type Services } from '../graphql/context.js';
import { clientAddress } from '../rate-limits/client-address.js';
import { closeAfterResponse } from './respond.js';

const maxQueryBytes = 1024 * 1024;

interface CacheState {
  key: string;
  version: number;
  settle: (body: string | null) => void;
}

function graphqlError(reply: FastifyReply, status: number, code: string, message: string) {
  return reply
    .code(status)
    .type('application/json; charset=utf-8')
    .send(JSON.stringify({ errors: [{ message, extensions: { code } }] }));
}

/** Parse failures of the body, answered as GraphQL errors; anything else goes on to the server's handler. */
function requestErrorMessage(error: FastifyError): [number, string, string] | null {
  if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return [
      413,
      'PAYLOAD_TOO_LARGE',
      `GraphQL requests are limited to ${maxQueryBytes} bytes; send a smaller query or variables.`,
    ];
  }
  if (error.code === 'FST_ERR_CTP_EMPTY_JSON_BODY')
    return [400, 'BAD_REQUEST', 'The request body is empty; send {"query": "..."} as JSON.'];
  if (error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || (error instanceof SyntaxError && error.statusCode === 400))
    return [400, 'BAD_REQUEST', 'The request body is not valid JSON; send {"query": "...", "variables": {...}}.'];
  return null;
}

export function graphqlRoute(
  apollo: ApolloServer<Context>,
  services: Services,
  track: <T>(work: Promise<T>) => Promise<T>,
) {
  return async (app: FastifyInstance) => {
    const cacheStates = new WeakMap<FastifyRequest, CacheState>();
    // Any other content type reaches Apollo as text: its CSRF prevention refuses "simple" requests.
    app.addContentTypeParser('*', { parseAs: 'string', bodyLimit: maxQueryBytes }, (_request, body, done) =>
      done(null, body),
    );

    app.setErrorHandler((error: FastifyError, _request, reply) => {
      const known = requestErrorMessage(error);
      if (!known) throw error;
      if (known[0] === 413) closeAfterResponse(reply);
      return graphqlError(reply, ...known);
    });

    // Read-only gallery queries may be answered from the response cache (JSON POSTs only: those passed CSRF checks).
    app.addHook('preHandler', async (request, reply) => {
      const body = request.body;
      if (request.method !== 'POST' || body === undefined || body === null || typeof body !== 'object') return;
      const voterId = services.voterSessions.verify(request.headers[VOTER_SESSION_HEADER]);
      const key = services.cache.keyFor(body, voterId);
      if (!key) return;
      const hit = services.cache.get(key) ?? (await services.cache.inFlight.get(key));
      if (hit) {
        return reply.code(200).type('application/json; charset=utf-8').header('x-cache', 'hit').send(hit);
      }
      let settle: (body: string | null) => void = () => undefined;
      services.cache.inFlight.set(key, new Promise((resolve) => (settle = resolve)));
      cacheStates.set(request, { key, version: services.cache.currentVersion, settle });
    });
    app.addHook('onSend', async (request, reply, payload) => {
      const state = cacheStates.get(request);
      if (!state) return payload;
      cacheStates.delete(request);
      services.cache.inFlight.delete(state.key);
      const complete = reply.statusCode === 200 && typeof payload === 'string' && payload.startsWith('{"data"');
      if (complete) services.cache.set(state.key, payload, state.version);
      state.settle(complete ? payload : null);
      return payload;
    });
    // A request that failed before sending anything must not leave waiters hanging.
    app.addHook('onResponse', async (request) => {
      const state = cacheStates.get(request);
      if (!state) return;
      cacheStates.delete(request);
      services.cache.inFlight.delete(state.key);
      state.settle(null);
    });

    const apolloHandler = fastifyApolloHandler(apollo, {
      context: async (request) =>
        createContext(services, {
          voterId: services.voterSessions.verify(request.headers[VOTER_SESSION_HEADER]),
          clientAddress: clientAddress(request.raw, services.config.trustedProxies),
          admin: adminStatus(services.config.adminToken, request.headers.authorization),
        }),
    });
    app.route<{ Reply: string }>({
      method: ['GET', 'POST'],
      url: '/graphql',
      bodyLimit: maxQueryBytes,
      handler(request, reply) {
        return track(Promise.resolve(apolloHandler.call(this, request, reply)));
      },
    });
  };
}
