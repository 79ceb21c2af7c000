// Answers a plain HTTP endpoint's request that is over its rate limit: 429 with Retry-After, in the endpoint's
// error shape. Returns false (having answered) when limited, true when the request may go on.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Services } from '../graphql/context.js';
import { clientAddress } from '../rate-limits/client-address.js';
import { RateLimitedError, type LimitedAction } from '../rate-limits/rate-limits.js';
import { sendJson } from './respond.js';

export async function withinRateLimit(
  services: Services,
  req: IncomingMessage,
  res: ServerResponse,
  action: LimitedAction,
  voterId: string | null,
  errorBody: (error: { code: 'RATE_LIMITED'; message: string; retryAfterSeconds: number }) => unknown,
): Promise<boolean> {
  try {
    await services.rateLimits.consume(action, {
      address: clientAddress(req, services.config.trustedProxies),
      voterId,
    });
    return true;
  } catch (error) {
    if (!(error instanceof RateLimitedError)) throw error;
    const { retryAfterSeconds } = error;
    sendJson(res, 429, errorBody({ code: 'RATE_LIMITED', message: error.message, retryAfterSeconds }), {
      'retry-after': String(retryAfterSeconds),
    });
    return false;
  }
}
