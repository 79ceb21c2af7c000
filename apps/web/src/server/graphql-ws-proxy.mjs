// WebSocket upgrades on /graphql (the API's GraphQL subscriptions, graphql-ws) forwarded to the API, so the browser
// keeps talking to the web origin only. A plain node:http upgrade relay: the handshake goes to the API with the
// voter cookie turned into the x-voter-session header (as src/lib/forward-to-api.ts does for HTTP) and the
// client address this server vouches for; once both sides switched protocols, bytes are piped both ways.
import http from 'node:http';
import https from 'node:https';
import { normalizeForwardingHeaders } from './client-address.mjs';

/** The voter cookie (src/lib/voter.ts VOTER_COOKIE); the API checks the token's signature. */
const VOTER_COOKIE = 'captioner_voter';
/** Handshake headers the API needs; cookies and everything else stay here. */
const FORWARDED = ['sec-websocket-key', 'sec-websocket-version', 'sec-websocket-protocol', 'sec-websocket-extensions'];

/** @param {string | undefined} header */
function voterToken(header) {
  for (const part of (header ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === VOTER_COOKIE) return decodeURIComponent(value.join('='));
  }
  return undefined;
}

/**
 * @param {import('node:net').Socket | import('node:stream').Duplex} socket
 * @param {number} status
 * @param {string} reason
 */
function refuse(socket, status, reason) {
  // Closed once written, whether or not the client closes its side.
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`, () => socket.destroy());
}

/**
 * Relays upgrades of `server` on /graphql to `apiOrigin`; any other upgrade is answered 404.
 * @param {http.Server} server
 * @param {{ apiOrigin: string, trustedHops: number }} options
 * @returns {{ closeAll(): void }} closes the relayed sockets (shutdown; clients reconnect)
 */
export function proxyGraphqlUpgrades(server, { apiOrigin, trustedHops }) {
  const open = new Set();
  server.on('upgrade', (req, socket, head) => {
    socket.on('error', () => socket.destroy());
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/graphql') return refuse(socket, 404, 'Not Found');
    // Cross-site WebSocket hijacking: a browser always sends Origin; a page of another site may not subscribe here.
    const origin = req.headers.origin;
    if (origin && (!URL.canParse(origin) || new URL(origin).host !== req.headers.host)) {
      return refuse(socket, 403, 'Forbidden');
    }
    normalizeForwardingHeaders(req, trustedHops);
    /** @type {Record<string, string>} */
    const headers = { connection: 'Upgrade', upgrade: 'websocket' };
    for (const name of FORWARDED) {
      const value = req.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }
    const forwardedFor = req.headers['x-forwarded-for'];
    if (typeof forwardedFor === 'string') headers['x-forwarded-for'] = forwardedFor;
    const voter = voterToken(req.headers.cookie);
    if (voter) headers['x-voter-session'] = voter;

    const target = new URL('/graphql', apiOrigin);
    const upstream = (target.protocol === 'https:' ? https : http).request(target, { method: 'GET', headers });
    upstream.on('upgrade', (response, apiSocket, apiHead) => {
      const lines = [`HTTP/1.1 ${response.statusCode} ${response.statusMessage}`];
      for (let i = 0; i < response.rawHeaders.length; i += 2) {
        lines.push(`${response.rawHeaders[i]}: ${response.rawHeaders[i + 1]}`);
      }
      socket.write(`${lines.join('\r\n')}\r\n\r\n`);
      if (apiHead.length > 0) socket.write(apiHead);
      if (head.length > 0) apiSocket.write(head);
      const pair = { socket, apiSocket };
      open.add(pair);
      const close = () => {
        open.delete(pair);
        socket.destroy();
        apiSocket.destroy();
      };
      apiSocket.on('error', close).on('close', close);
      socket.on('error', close).on('close', close);
      apiSocket.pipe(socket).pipe(apiSocket);
    });
    // The API answered without switching (refused, or down): pass its status on.
    upstream.on('response', (response) => {
      response.resume();
      refuse(socket, response.statusCode ?? 502, response.statusMessage ?? 'Bad Gateway');
    });
    upstream.on('error', () => refuse(socket, 502, 'Bad Gateway'));
    socket.on('close', () => upstream.destroy());
    upstream.end();
  });
  return {
    closeAll() {
      for (const { socket, apiSocket } of open) {
        socket.destroy();
        apiSocket.destroy();
      }
      open.clear();
    },
  };
}
