// Answers a plain HTTP endpoint's request that is over its rate limit: 429 with Retry-After, in the endpoint's
// error shape. Returns false (having answered) when limited, true when the request may go on.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../graphql/context.js';
import { clientAddress } from '../rate-limits/client-address.js';
import { RateLimitedError, type LimitedAction } from '../rate-limits/rate-limits.js';

export async function withinRateLimit(
  services: Services,
  request: FastifyRequest,
  reply: FastifyReply,
  action: LimitedAction,
  voterId: string | null,
  errorBody: (error: { code: 'RATE_LIMITED'; message: string; retryAfterSeconds: number }) => unknown,
): Promise<boolean> {
  try {
    await services.rateLimits.consume(action, {
      address: clientAddress(request.raw, services.config.trustedProxies),
      voterId,
    });
    return true;
  } catch (error) {
    if (!(error instanceof RateLimitedError)) throw error;
    const { retryAfterSeconds } = error;
    await reply
      .code(429)
      .headers({ 'retry-after': String(retryAfterSeconds), 'cache-control': 'no-store' })
      .send(errorBody({ code: 'RATE_LIMITED', message: error.message, retryAfterSeconds }));
    return false;
  }
}
