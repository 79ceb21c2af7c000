#!/usr/bin/env node
// Serves the built gallery (`next build` first) like `next start`, but owns the socket so that the client address
// handed to the API's rate limits is the real one (src/server/client-address.mjs). Settings:
//   PORT (3000), HOST (127.0.0.1), CAPTIONER_WEB_TRUSTED_HOPS (0: reverse proxies in front of the web),
//   CAPTIONER_API_URL (read by the app itself, src/lib/api-origin.ts).
import { createServer } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import next from 'next';
import { normalizeForwardingHeaders } from './src/server/client-address.mjs';

function readSettings(env) {
  const port = Number(env.PORT ?? 3000);
  const trustedHops = Number(env.CAPTIONER_WEB_TRUSTED_HOPS ?? 0);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`PORT must be a port number (0-65535), got "${env.PORT}".`);
  }
  if (!Number.isInteger(trustedHops) || trustedHops < 0 || trustedHops > 10) {
    throw new Error(
      `CAPTIONER_WEB_TRUSTED_HOPS must be the number of reverse proxies in front of the web (0-10), got "${env.CAPTIONER_WEB_TRUSTED_HOPS}".`,
    );
  }
  return { port, host: env.HOST ?? '127.0.0.1', trustedHops };
}

const settings = readSettings(process.env);
const app = next({
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
server.listen(settings.port, settings.host, () => {
  const { port } = server.address();
  console.log(`Gallery listening on http://${settings.host}:${port}`);
});

function shutdown() {
  server.close(() => process.exit(0));
  server.closeAllConnections?.();
  setTimeout(() => process.exit(0), 5_000).unref();
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
