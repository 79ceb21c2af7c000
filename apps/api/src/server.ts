// createServer(): the HTTP surface (POST /graphql, POST /upload, POST /voter-session, GET /media/images/:id/..., GET /health) as a
// node:http request listener over already-opened services. Tests drive it on port 0; main.ts only listens.
import { readFileSync } from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import type { Context, Services } from './graphql/context.js';
import { makeFormatError } from './graphql/format-error.js';
import { queryLimitsPlugin } from './graphql/query-limits.js';
import { handleCors } from './http/cors.js';
import { handleGraphql } from './http/graphql-handler.js';
import { handleHealth } from './http/health.js';
import { handleMedia } from './http/media.js';
import { sendError } from './http/respond.js';
import { handleUpload } from './http/upload.js';
import { handleVoterSession } from './http/voter-session.js';
import { resolvers } from './resolvers/index.js';

export const typeDefs = readFileSync(new URL('./schema.graphql', import.meta.url), 'utf8');

const mediaPath = /^\/media\/images\/([^/]+)\/(original|thumbnail)$/;

export interface CaptionServer {
  /** The node:http server (not listening until `listen`). */
  httpServer: http.Server;
  apollo: ApolloServer<Context>;
  listen(port: number, host: string): Promise<string>;
  /** Stops accepting requests and waits for in-flight ones; does not touch the services. */
  close(): Promise<void>;
}

export async function createServer(
  services: Services,
  log: (message: string) => void = console.error,
): Promise<CaptionServer> {
  const apollo = new ApolloServer<Context>({
    typeDefs,
    resolvers,
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
            async willSendResponse({ operation }) {
              if (operation?.operation === 'mutation') services.cache.invalidate();
            },
          };
        },
      },
      ApolloServerPluginLandingPageDisabled(),
    ],
  });
  await apollo.start();
  let closing = false;

  const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = req.method ?? 'GET';
    if (handleCors(req, res, services.config.corsOrigins)) return;
    if (url.pathname === '/graphql') {
      if (method !== 'POST' && method !== 'GET')
        return sendError(res, 'BAD_REQUEST', 'Use POST (or GET) for /graphql.', 405);
      return handleGraphql(apollo, services, req, res, url);
    }
    if (url.pathname === '/upload') {
      if (method !== 'POST')
        return sendError(res, 'BAD_REQUEST', 'Use POST with multipart/form-data for /upload.', 405);
      return handleUpload(services, req, res);
    }
    if (url.pathname === '/voter-session') {
      if (method !== 'POST') return sendError(res, 'BAD_REQUEST', 'Use POST for /voter-session.', 405);
      return handleVoterSession(services, req, res);
    }
    const media = mediaPath.exec(url.pathname);
    if (media) {
      if (method !== 'GET' && method !== 'HEAD') return sendError(res, 'BAD_REQUEST', 'Use GET for media.', 405);
      return handleMedia(services, req, res, decodeURIComponent(media[1]!), media[2] as 'original' | 'thumbnail');
    }
    if (url.pathname === '/health') return handleHealth(services, res, closing);
    return sendError(
      res,
      'NOT_FOUND',
      `No endpoint ${method} ${url.pathname}. The API serves /graphql, /upload, /voter-session, /media/images/:id/{original,thumbnail} and /health.`,
    );
  };

  // Handlers still running (a client may have gone away while its request is being resolved): shutdown waits for
  // them before the database is closed.
  let active = 0;
  let onIdle: (() => void) | null = null;
  // Slow clients (headers or bodies trickling in) hold a connection only this long; Node checks every
  // connectionsCheckingInterval, so that is kept well under the headers timeout.
  const { headersTimeoutMs, requestTimeoutMs } = services.config;
  const timeouts = {
    headersTimeout: headersTimeoutMs,
    requestTimeout: Math.max(requestTimeoutMs, headersTimeoutMs),
    connectionsCheckingInterval: Math.min(1_000, headersTimeoutMs / 2),
  };
  const httpServer = http.createServer(timeouts, (req, res) => {
    active++;
    route(req, res)
      .finally(() => {
        if (--active === 0) onIdle?.();
      })
      .catch((error: unknown) => {
        log(
          `Unhandled error on ${req.method} ${req.url}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
        );
        if (!res.headersSent)
          sendError(res, 'INTERNAL_SERVER_ERROR', 'Something went wrong on the server; it has been logged. Try again.');
        else res.destroy();
      });
  });
  httpServer.keepAliveTimeout = 5_000;

  return {
    httpServer,
    apollo,
    listen: (port, host) =>
      new Promise((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(port, host, () => {
          httpServer.off('error', reject);
          const address = httpServer.address() as AddressInfo;
          const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
          resolve(`http://${shownHost}:${address.port}`);
        });
      }),
    async close() {
      closing = true;
      await new Promise<void>((resolve) => {
        httpServer.close(() => resolve());
        httpServer.closeIdleConnections();
        // Requests still running after the grace period are cut off.
        setTimeout(() => httpServer.closeAllConnections(), 10_000).unref();
      });
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
