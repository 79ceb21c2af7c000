// Next.js config for the gallery. API traffic is proxied by route handlers (src/app/graphql, src/app/media,
// src/app/api/upload) rather than `rewrites`, because rewrites are frozen at build time and the API origin
// (CAPTIONER_API_URL) is only known when `next start` runs.
import type { NextConfig } from 'next';
import { securityHeaders } from './src/security-headers';

const nextConfig: NextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  async headers() {
    return [{ source: '/:path*', headers: securityHeaders }];
  },
  // The monorepo root holds the lockfile; tell Turbopack so it does not guess.
  turbopack: { root: new URL('../..', import.meta.url).pathname },
};

export default nextConfig;
