#!/usr/bin/env node
// Serves the built gallery (`next build` first) like `next start`, but owns the socket so that the client address
// handed to the API's rate limits is the real one (src/server/client-address.mjs), and relays the GraphQL
// subscriptions' WebSocket to the API (src/server/graphql-ws-proxy.mjs). Its settings (PORT, HOST,
// CAPTIONER_WEB_TRUSTED_HOPS, CAPTIONER_API_URL) are in src/server/settings.mjs; the app's own in src/config.ts.
import { EventEmitter } from 'node:events';
import { createServer } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import next from 'next';
import { normalizeForwardingHeaders } from './src/server/client-address.mjs';
import { proxyGraphqlUpgrades } from './src/server/graphql-ws-proxy.mjs';
import { loadServerSettings } from './src/server/settings.mjs';

const settings = loadServerSettings(process.env);
const app = next({
  // Next attaches its own WebSocket upgrade handler to this emitter instead of our server, where it would close
  // the relayed /graphql sockets (it is for rewrites to WebSocket targets, which the gallery has none of).
  httpServer: new EventEmitter(),
  dev: false,
  dir: path.dirname(fileURLToPath(import.meta.url)),
  hostname: settings.host,
  port: settings.port,
});
const handle = app.getRequestHandler();
await app.prepare();

const server = createServer((req, res) => {
  normalizeForwardingHeaders(req, settings.trustedHops);
  handle(req, res);
});
// GraphQL subscriptions: the browser's WebSocket on /graphql goes on to the API.
const sockets = proxyGraphqlUpgrades(server, settings);
server.listen(settings.port, settings.host, () => {
  const { port } = server.address();
  console.log(`Gallery listening on http://${settings.host}:${port}`);
});

function shutdown() {
  server.close(() => process.exit(0));
  server.closeAllConnections?.();
  sockets.closeAll();
  setTimeout(() => process.exit(0), 5_000).unref();
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
