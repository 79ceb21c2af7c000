// What every resolver receives: the shared services, this request's DataLoaders and the voter.
import type { Database } from '@captioner/db';
import type { Config } from '../config.js';
import type { CaptionService } from '../captioning/caption-service.js';
import type { ModelRegistry } from '../captioning/model-registry.js';
import type { EvaluationRunner } from '../evaluation/evaluation-runner.js';
import type { ImportJobs } from '../datasets/import-jobs.js';
import type { ResponseCache } from './response-cache.js';
import type { DocumentFrequencyCache } from '../metrics/document-frequency-cache.js';
import { badInput } from '../errors.js';

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
}

export type Loaders = ReturnType<Database['createLoaders']>;

export interface Context {
  services: Services;
  loaders: Loaders;
  /** From the `x-voter-id` header; null when absent or malformed. */
  voterId: string | null;
  /** Per-request memo for aggregate queries several fields share. */
  memo: Map<string, Promise<unknown>>;
}

const voterPattern = /^[A-Za-z0-9._:-]{1,128}$/;

export function parseVoterId(header: string | string[] | undefined): string | null {
  const value = Array.isArray(header) ? header[0] : header;
  const trimmed = value?.trim();
  return trimmed && voterPattern.test(trimmed) ? trimmed : null;
}

export function createContext(services: Services, voterHeader: string | string[] | undefined): Context {
  const voterId = parseVoterId(voterHeader);
  return { services, voterId, loaders: services.db.createLoaders(voterId ? { voterId } : {}), memo: new Map() };
}

export function requireVoter(ctx: Context): string {
  if (!ctx.voterId) {
    throw badInput(
      'This needs a voter: send an `x-voter-id` header (1-128 letters, digits, ".", "_", ":" or "-"). The web sets it from a cookie.',
    );
  }
  return ctx.voterId;
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
