import type { Server } from 'node:http';

export function proxyGraphqlUpgrades(
  server: Server,
  options: { apiOrigin: string; trustedHops: number },
): { closeAll(): void };
