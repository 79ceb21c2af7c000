import type { IncomingMessage } from 'node:http';

export function clientAddress(
  forwardedFor: string | string[] | undefined,
  peer: string | undefined,
  trustedHops: number,
): string;
export function normalizeForwardingHeaders(req: IncomingMessage, trustedHops: number): void;
