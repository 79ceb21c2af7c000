// The /graphql WebSocket relay against a stand-in API (node:http answering the upgrade and echoing bytes): the
// handshake carries the voter cookie as x-voter-session and the vouched client address, never the cookie itself;
// bytes flow both ways; other paths, foreign origins and a down API are refused with a status.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { proxyGraphqlUpgrades } from './graphql-ws-proxy.mjs';

let api: http.Server;
let web: http.Server;
let webPort: number;
const seen: http.IncomingHttpHeaders[] = [];

const listen = (server: http.Server) =>
  new Promise<number>((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)),
  );

before(async () => {
  api = http.createServer((_req, res) => res.writeHead(404).end());
  api.on('upgrade', (req, socket) => {
    seen.push(req.headers);
    socket.write('HTTP/1.1 101 Switching Protocols\r\nconnection: Upgrade\r\nupgrade: websocket\r\nx-api: yes\r\n\r\n');
    socket.on('data', (chunk: Buffer) => socket.write(Buffer.concat([Buffer.from('echo:'), chunk])));
    socket.on('end', () => socket.end());
  });
  const apiPort = await listen(api);
  web = http.createServer((_req, res) => res.end());
  proxyGraphqlUpgrades(web, { apiOrigin: `http://127.0.0.1:${apiPort}`, trustedHops: 0 });
  webPort = await listen(web);
});
after(() => {
  web.closeAllConnections();
  api.closeAllConnections();
  web.close();
  api.close();
});

/** Sends an upgrade request to the web; resolves with the status and, when switched, a round trip of `ping`. */
function upgrade(path: string, headers: Record<string, string>) {
  return new Promise<{ status: number; echo?: string; apiHeader?: string }>((resolve, reject) => {
    const request = http.request({
      host: '127.0.0.1',
      port: webPort,
      path,
      headers: {
        connection: 'Upgrade',
        upgrade: 'websocket',
        'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
        'sec-websocket-version': '13',
        ...headers,
      },
    });
    request.on('upgrade', (response, socket) => {
      socket.once('data', (chunk: Buffer) => {
        socket.destroy();
        resolve({ status: response.statusCode!, echo: chunk.toString(), apiHeader: String(response.headers['x-api']) });
      });
      socket.write('ping');
    });
    request.on('response', (response) => {
      response.resume();
      request.destroy();
      resolve({ status: response.statusCode! });
    });
    request.on('error', reject);
    request.end();
  });
}

test('relays /graphql with the voter cookie as x-voter-session and pipes bytes both ways', async () => {
  const result = await upgrade('/graphql', {
    cookie: 'other=1; captioner_voter=token-123; theme=dark',
    origin: `http://127.0.0.1:${webPort}`,
    'sec-websocket-protocol': 'graphql-transport-ws',
    'x-forwarded-for': '203.0.113.9',
  });
  assert.deepEqual(result, { status: 101, echo: 'echo:ping', apiHeader: 'yes' });
  const headers = seen.at(-1)!;
  assert.equal(headers['x-voter-session'], 'token-123');
  assert.equal(headers.cookie, undefined, 'cookies stay at the web');
  assert.equal(headers['sec-websocket-protocol'], 'graphql-transport-ws');
  // No trusted hops: the address is the peer's, whatever the client claimed.
  assert.equal(headers['x-forwarded-for'], '127.0.0.1');
});

test('refuses other paths, foreign origins, and answers 502 when the API is down', async () => {
  assert.equal((await upgrade('/other', {})).status, 404);
  assert.equal((await upgrade('/graphql', { origin: 'https://evil.example' })).status, 403);
  const before = seen.length;
  api.close(); // stops listening at once (the callback would wait for the relayed socket of the test above)
  assert.equal((await upgrade('/graphql', {})).status, 502);
  assert.equal(seen.length, before);
});
