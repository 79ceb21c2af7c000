// createServer(): the HTTP surface (POST /graphql, POST /upload, POST /voter-session, GET /media/images/:id/...,
// GET /health) as a Fastify app over already-opened services. Tests drive it on port 0; main.ts only listens.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { makeExecutableSchema } from '@graphql-tools/schema';
import type { GraphQLSchema } from 'graphql';
import Fastify, { type FastifyError } from 'fastify';
import type { Context, Services } from './graphql/context.js';
import { ApiError } from './errors.js';
import { makeFormatError } from './graphql/format-error.js';
import { queryLimitsPlugin } from './graphql/query-limits.js';
import { corsHook } from './http/cors.js';
import { graphqlRoute } from './http/graphql-route.js';
import { handleHealth } from './http/health.js';
import { handleMedia } from './http/media.js';
import { sendError } from './http/respond.js';
import { uploadRoute } from './http/upload.js';
import { handleVoterSession } from './http/voter-session.js';
import { attachSubscriptions } from './live/subscription-server.js';
import { resolvers } from './resolvers/index.js';

export const typeDefs = readFileSync(new URL('./schema.graphql', import.meta.url), 'utf8');

/** What each endpoint accepts, for the answer to any other method. */
const endpointMethods: Record<string, string> = {
  '/graphql': 'Use POST (or GET) for /graphql.',
  '/upload': 'Use POST with multipart/form-data for /upload.',
  '/voter-session': 'Use POST for /voter-session.',
  '/health': 'Use GET for /health.',
};

export interface CaptionServer {
  /** The node:http server (not listening until `listen`). */
  httpServer: http.Server;
  apollo: ApolloServer<Context>;
  listen(port: number, host: string): Promise<string>;
  /** Stops accepting requests and waits for in-flight ones; does not touch the services. */
  close(): Promise<void>;
}

function createApollo(
  schema: GraphQLSchema,
  services: Services,
  log: (message: string) => void,
): ApolloServer<Context> {
  return new ApolloServer<Context>({
    schema,
    csrfPrevention: true,
    // main.ts owns signals: Apollo's own handler would stop it and re-send the signal mid-shutdown.
    stopOnTerminationSignals: false,
    introspection: true,
    includeStacktraceInErrorResponses: false,
    formatError: makeFormatError(log),
    plugins: [
      queryLimitsPlugin({
        maxDepth: services.config.graphqlMaxDepth,
        maxCost: services.config.graphqlMaxCost,
        maxMutationFields: services.config.graphqlMaxMutationFields,
      }),
      {
        // Any mutation may have written: cached read responses are stale now.
        async requestDidStart() {
          return {
            // Subscriptions run over the WebSocket (live/subscription-server.ts); over HTTP they would resolve nothing.
            async didResolveOperation({ operation }) {
              if (operation?.operation === 'subscription') {
                throw new ApiError(
                  'BAD_REQUEST',
                  'Subscriptions run over WebSocket: connect to ws://<api>/graphql with the graphql-ws protocol.',
                  { http: { status: 400 } },
                );
              }
            },
            async willSendResponse({ operation }) {
              if (operation?.operation === 'mutation') services.cache.invalidate();
            },
          };
        },
      },
      ApolloServerPluginLandingPageDisabled(),
    ],
  });
}

export async function createServer(
  services: Services,
  log: (message: string) => void = console.error,
): Promise<CaptionServer> {
  // One executable schema for POST /graphql (Apollo) and the WebSocket subscriptions (graphql-ws).
  const schema = makeExecutableSchema({ typeDefs, resolvers });
  const apollo = createApollo(schema, services, log);
  await apollo.start();
  let closing = false;

  // Handlers still running (a client may have gone away while its request is being resolved): shutdown waits for
  // them before the database is closed.
  let active = 0;
  let onIdle: (() => void) | null = null;
  const track = async <T>(work: Promise<T>): Promise<T> => {
    active++;
    try {
      return await work;
    } finally {
      if (--active === 0) onIdle?.();
    }
  };

  // Slow clients (headers or bodies trickling in) hold a connection only this long; Node checks every
  // connectionsCheckingInterval, so that is kept well under the headers timeout.
  const { headersTimeoutMs, requestTimeoutMs } = services.config;
  const timeouts = {
    headersTimeout: headersTimeoutMs,
    requestTimeout: Math.max(requestTimeoutMs, headersTimeoutMs),
    connectionsCheckingInterval: Math.min(1_000, headersTimeoutMs / 2),
  };
  const app = Fastify({
    // Our own node:http server, for its timeouts (Fastify does not set them on a server it did not create).
    serverFactory: (handler) => {
      const server = http.createServer(timeouts, handler);
      server.keepAliveTimeout = 5_000;
      return server;
    },
    // /health says "shutting-down" itself; other requests still finish while the server closes.
    return503OnClosing: false,
    logger: false,
  });

  app.addHook('onRequest', corsHook(services.config.corsOrigins));
  app.setErrorHandler((error: FastifyError, request, reply) => {
    // Fastify's own refusals (e.g. an unsupported body) are the client's; anything else is logged and masked.
    if (error.statusCode && error.statusCode < 500) {
      return sendError(
        reply,
        error.statusCode === 413 ? 'PAYLOAD_TOO_LARGE' : 'BAD_REQUEST',
        error.message,
        error.statusCode,
      );
    }
    log(`Unhandled error on ${request.method} ${request.url}: ${error.stack ?? error.message}`);
    return sendError(
      reply,
      'INTERNAL_SERVER_ERROR',
      'Something went wrong on the server; it has been logged. Try again.',
    );
  });
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0]!;
    const methods = endpointMethods[path] ?? (path.startsWith('/media/') ? 'Use GET for media.' : null);
    if (methods && /^\/media\/images\/[^/]+\/(original|thumbnail)$/.test(path))
      return sendError(reply, 'BAD_REQUEST', methods, 405);
    if (methods && !path.startsWith('/media/')) return sendError(reply, 'BAD_REQUEST', methods, 405);
    return sendError(
      reply,
      'NOT_FOUND',
      `No endpoint ${request.method} ${path}. The API serves /graphql, /upload, /voter-session, /media/images/:id/{original,thumbnail} and /health.`,
    );
  });

  await app.register(graphqlRoute(apollo, services, track));
  await app.register(uploadRoute(services, track));
  app.post('/voter-session', (request, reply) => track(handleVoterSession(services, request, reply)));
  app.get<{ Params: { id: string; variant: string } }>('/media/images/:id/:variant', (request, reply) => {
    const { id, variant } = request.params;
    if (variant !== 'original' && variant !== 'thumbnail') {
      return sendError(reply, 'NOT_FOUND', `No endpoint GET ${request.url}: use .../original or .../thumbnail.`);
    }
    return track(handleMedia(services, request, reply, id, variant));
  });
  app.get('/health', (_request, reply) => handleHealth(services, reply, closing));
  await app.ready();

  const httpServer = app.server;
  const subscriptions = attachSubscriptions(httpServer, schema, services, log);
  return {
    httpServer,
    apollo,
    listen: async (port, host) => {
      await app.listen({ port, host });
      const address = httpServer.address() as AddressInfo;
      const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      return `http://${shownHost}:${address.port}`;
    },
    async close() {
      closing = true;
      // Open sockets would keep the server from closing; clients are told to go away (and reconnect elsewhere).
      await subscriptions.close();
      // Requests still running after the grace period are cut off.
      const cutOff = setTimeout(() => httpServer.closeAllConnections(), 10_000);
      cutOff.unref();
      await app.close();
      clearTimeout(cutOff);
      if (active > 0) {
        await new Promise<void>((resolve) => {
          onIdle = resolve;
          setTimeout(resolve, 10_000).unref();
        });
      }
      await apollo.stop();
    },
  };
}
