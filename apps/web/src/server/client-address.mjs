// Which address a request to the web came from, decided once at the socket. Next.js keeps an X-Forwarded-For the
// client sent (it only fills the header in when absent), and the API trusts the web's header, so without this a
// client could pick its own rate-limit bucket. `trustedHops` reverse proxies in front of the web each appended the
// address they saw; entries further left were written by the client and prove nothing.

/**
 * @param {string | string[] | undefined} forwardedFor the X-Forwarded-For header as received
 * @param {string | undefined} peer the socket's remote address
 * @param {number} trustedHops how many reverse proxies run in front of the web (0: clients connect directly)
 * @returns {string}
 */
export function clientAddress(forwardedFor, peer, trustedHops) {
  const entries = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : (forwardedFor ?? ''))
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  const chain = [...entries, peer ?? 'unknown'];
  // With fewer entries than trusted hops, the leftmost one is the best anyone knows.
  return chain[Math.max(0, chain.length - 1 - trustedHops)];
}

/**
 * Rewrites the forwarding headers in place so that everything behind (proxy.ts, route handlers, the API) sees
 * only what this server vouches for.
 * @param {import('node:http').IncomingMessage} req
 * @param {number} trustedHops
 */
export function normalizeForwardingHeaders(req, trustedHops) {
  req.headers['x-forwarded-for'] = clientAddress(req.headers['x-forwarded-for'], req.socket.remoteAddress, trustedHops);
  // The same-origin check compares Origin with the host the browser used; only a trusted proxy may restate it.
  if (trustedHops === 0) {
    delete req.headers['x-forwarded-host'];
    delete req.headers['x-forwarded-proto'];
  }
}
