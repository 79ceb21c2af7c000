import DataLoader from 'dataloader';
// What every resolver receives: the shared services, this request's DataLoaders and the voter.
import type { JobQueue } from '../jobs/job-queue.js';
import type { Database } from '@captioner/db';
import type { Config } from '../config.js';
import type { CaptionService } from '../captioning/caption-service.js';
import type { ModelRegistry } from '../captioning/model-registry.js';
import type { EvaluationRunner } from '../evaluation/evaluation-runner.js';
import type { ImportJobs } from '../datasets/import-jobs.js';
import type { ResponseCache } from './response-cache.js';
import type { DocumentFrequencyCache } from '../metrics/document-frequency-cache.js';
import { ApiError } from '../errors.js';
import { VOTER_SESSION_HEADER, type VoterSessions } from '../auth/voter-sessions.js';
import type { LimitedAction, RateLimits } from '../rate-limits/rate-limits.js';
import type { ProgressBus } from '../live/progress-bus.js';
import { requireAdminStatus, type AdminStatus } from '../auth/admin.js';

export interface Services {
  config: Config;
  db: Database;
  registry: ModelRegistry;
  captions: CaptionService;
  evaluations: EvaluationRunner;
  imports: ImportJobs;
  /** Cached read-only responses; call `cache.invalidate()` after any write. */
  cache: ResponseCache;
  /** CIDEr-D document frequencies per dataset split, for per-caption CIDEr-D. */
  documentFrequencies: DocumentFrequencyCache;
  /** Issues and verifies the signed voter sessions. */
  voterSessions: VoterSessions;
  /** Per-address and per-voter limits on writes, shared by replicas. */
  rateLimits: RateLimits;
  /** Live progress events of every process sharing the database (LISTEN/NOTIFY), for subscriptions. */
  progress: ProgressBus;
  /** The durable job queue (pg-boss) every API and worker process shares. */
  jobs: JobQueue;
}

export type Loaders = ReturnType<Database['createLoaders']>;

export interface Context {
  services: Services;
  loaders: Loaders;
  /** From a correctly signed `x-voter-session` header; null when absent, malformed or forged. */
  voterId: string | null;
  /** The client's address (rate limits): the peer, or the web's X-Forwarded-For entry (config.trustedProxies). */
  clientAddress: string;
  /** Whether the request carries the admin token (auth/admin.ts). */
  admin: AdminStatus;
  /** Per-request memo for aggregate queries several fields share. */
  memo: Map<string, Promise<unknown>>;
  /** Whether an image has a caption job waiting or running (one query for a whole page of images). */
  captioningPending: DataLoader<string, boolean>;
}

export function createContext(
  services: Services,
  request: { voterId: string | null; clientAddress: string; admin: AdminStatus },
): Context {
  const { voterId } = request;
  return {
    services,
    ...request,
    loaders: services.db.createLoaders(voterId ? { voterId } : {}),
    memo: new Map(),
    captioningPending: pendingCaptionsLoader(services),
  };
}

export function pendingCaptionsLoader(services: Services): DataLoader<string, boolean> {
  return new DataLoader(async (ids: readonly string[]) => {
    const pending = await services.jobs.imagesWithPendingCaptions(ids);
    return ids.map((id) => pending.has(id));
  });
}

export function requireVoter(ctx: Context): string {
  if (!ctx.voterId) {
    throw new ApiError(
      'UNAUTHENTICATED',
      `This needs a voter session: send the token from POST /voter-session in the \`${VOTER_SESSION_HEADER}\` header. ` +
        'The web keeps it in a cookie; if yours was rejected, reload the page for a new one.',
    );
  }
  return ctx.voterId;
}

/** Throws FORBIDDEN (saying why) unless the request carries the admin token. */
export function requireAdmin(ctx: Context, operation: string): void {
  requireAdminStatus(ctx.admin, operation);
}

/** Counts one `action` against this request's address and voter; throws RATE_LIMITED when over the limit. */
export function consumeRateLimit(ctx: Context, action: LimitedAction): Promise<void> {
  return ctx.services.rateLimits.consume(action, { address: ctx.clientAddress, voterId: ctx.voterId });
}

/** Runs `work` once per request for `key` (e.g. leaderboard aggregates used by several fields). */
export function memo<T>(ctx: Context, key: string, work: () => Promise<T>): Promise<T> {
  let p = ctx.memo.get(key) as Promise<T> | undefined;
  if (!p) {
    p = work();
    ctx.memo.set(key, p);
  }
  return p;
}
