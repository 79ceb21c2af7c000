// Security headers on every page and proxy response (next.config.ts). The CSP allows only this origin: scripts
// (Next's inline bootstrap scripts need 'unsafe-inline'; dev mode's React refresh needs 'unsafe-eval'), styles,
// images (plus data:/blob: for upload previews and canvases) and fetches; no framing, plugins or foreign forms.
import { config } from './config';

const dev = config.dev;

const contentSecurityPolicy = [
  "default-src 'self'",
  `script-src 'self' 'unsafe-inline'${dev ? " 'unsafe-eval'" : ''}`,
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  // 'self' also allows ws:/wss: to this host (CSP Level 3): the live-progress socket (lib/live-subscription.ts).
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export const securityHeaders = [
  { key: 'Content-Security-Policy', value: contentSecurityPolicy },
  { key: 'X-Frame-Options', value: 'DENY' },
  { key: 'Referrer-Policy', value: 'strict-origin-when-cross-origin' },
  { key: 'X-Content-Type-Options', value: 'nosniff' },
  { key: 'Permissions-Policy', value: 'camera=(), microphone=(), geolocation=()' },
];
