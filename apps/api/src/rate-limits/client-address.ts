// The address a request is limited by: the peer's own, or, when the peer is a trusted proxy (the web server), the
// last X-Forwarded-For entry it appended. Entries further left were written by the client and prove nothing.
import type { IncomingMessage } from 'node:http';

export function clientAddress(req: IncomingMessage, trustedProxies: readonly string[]): string {
  const peer = req.socket.remoteAddress ?? 'unknown';
  if (!trustedProxies.includes(peer)) return peer;
  const header = req.headers['x-forwarded-for'];
  const forwarded = (Array.isArray(header) ? header.join(',') : (header ?? ''))
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return forwarded.at(-1) ?? peer;
}
