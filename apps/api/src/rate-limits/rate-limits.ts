// Rate limits per client address and per voter session for the actions that write or cost compute, counted with
// rate-limiter-flexible in PostgreSQL (table rate_limits) so that every API replica shares the same counters.
import type { Database } from '@captioner/db';
import { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import type { RateLimitsConfig } from '../config.js';
import { ApiError } from '../errors.js';

export type LimitedAction = 'upload' | 'caption' | 'rating' | 'preference' | 'session';

export interface Requester {
  address: string;
  /** Null for requests without a voter session (they are limited by address alone). */
  voterId: string | null;
}

export interface RateLimits {
  /** Counts one request; throws RATE_LIMITED (with `retryAfterSeconds`) when the address or voter is over its limit. */
  consume(action: LimitedAction, requester: Requester): Promise<void>;
}

const describe: Record<LimitedAction, string> = {
  upload: 'uploads',
  caption: 'captioning requests',
  rating: 'ratings',
  preference: 'comparison votes',
  session: 'new voter sessions',
};

export class RateLimitedError extends ApiError {
  constructor(
    action: LimitedAction,
    readonly retryAfterSeconds: number,
  ) {
    super('RATE_LIMITED', `Too many ${describe[action]} from you; try again in ${retryAfterSeconds} s.`, {
      retryAfterSeconds,
    });
  }
}

export function createRateLimits(pool: Database['pool'], config: RateLimitsConfig): RateLimits {
  const perVoter: Record<LimitedAction, { points: number; duration: number }> = {
    upload: { points: config.uploadsPerMinute, duration: 60 },
    caption: { points: config.captionsPerMinute, duration: 60 },
    rating: { points: config.ratingsPerMinute, duration: 60 },
    preference: { points: config.preferencesPerMinute, duration: 60 },
    // Sessions are counted per address only: a new visitor has no voter yet.
    session: { points: config.sessionsPerHour, duration: 3600 },
  };
  const limiter = (keyPrefix: string, points: number, duration: number, sweep = false) =>
    points === 0
      ? null
      : new RateLimiterPostgres({
          storeClient: pool,
          storeType: 'pool',
          tableName: 'rate_limits',
          tableCreated: true, // by migration 20261130200000_rate_limits
          clearExpiredByTimeout: sweep,
          keyPrefix,
          points,
          duration,
        });
  const limiters = Object.fromEntries(
    (Object.keys(perVoter) as LimitedAction[]).map((action, i) => {
      const { points, duration } = perVoter[action];
      const addressPoints = action === 'session' ? points : points * config.addressFactor;
      return [
        action,
        {
          // One limiter sweeps expired rows for the whole table.
          address: limiter(`${action}:address`, addressPoints, duration, i === 0),
          voter: action === 'session' ? null : limiter(`${action}:voter`, points, duration),
        },
      ];
    }),
  ) as Record<LimitedAction, { address: RateLimiterPostgres | null; voter: RateLimiterPostgres | null }>;

  return {
    async consume(action, { address, voterId }) {
      const { address: byAddress, voter: byVoter } = limiters[action];
      try {
        await Promise.all([byAddress?.consume(address), voterId ? byVoter?.consume(voterId) : undefined]);
      } catch (rejection) {
        // The library rejects with a RateLimiterRes when over the limit, with an Error when the store failed.
        if (rejection instanceof RateLimiterRes)
          throw new RateLimitedError(action, Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)));
        throw rejection;
      }
    },
  };
}
