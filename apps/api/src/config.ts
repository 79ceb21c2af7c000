// The service's configuration, read from the environment and validated once at start-up (main.ts, cli/).
// Everything else receives the typed Config, never process.env.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { imageStorageConfig, storageEnvShape, type ImageStorageConfig } from './storage/storage-config.js';

/** Repository root: apps/api/{src,dist}/config.(ts|js) -> ../../.. */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

const int = (def: number, min: number, max: number) => z.coerce.number().int().min(min).max(max).default(def);

const envSchema = z.object({
  PORT: int(4000, 0, 65535),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATABASE_URL: z.string().url().optional(),
  CAPTIONER_DATA_DIR: z.string().min(1).default(path.join(repoRoot, 'data')),
  CAPTIONER_MODELS_DIR: z.string().min(1).default(path.join(repoRoot, 'models')),
  CAPTIONER_IMPORT_ROOT: z.string().min(1).default(repoRoot),
  /** Bytes per uploaded file. */
  CAPTIONER_MAX_UPLOAD_BYTES: int(20 * 1024 * 1024, 1, 1024 * 1024 * 1024),
  /** Whole POST /upload body (held in memory while it is parsed). */
  CAPTIONER_MAX_UPLOAD_REQUEST_BYTES: int(64 * 1024 * 1024, 1, 4 * 1024 * 1024 * 1024),
  /** Files per POST /upload. */
  CAPTIONER_MAX_UPLOAD_FILES: int(32, 1, 1000),
  /** Decoded pixels (width x height) per image; larger ones are refused as decompression bombs. */
  CAPTIONER_MAX_PIXELS: int(40_000_000, 1, 1_000_000_000),
  /** Caption batches a worker runs at once (each of up to CAPTIONER_JOB_BATCH jobs). */
  CAPTIONER_CAPTION_CONCURRENCY: int(2, 1, 64),
  /** inline: this API process also runs a worker (one process does everything); off: it only queues jobs. */
  CAPTIONER_WORKER: z.enum(['inline', 'off']).default('inline'),
  /** Caption jobs a worker takes in one fetch and runs as one batch (dynamic batching; 1 = one at a time). */
  CAPTIONER_JOB_BATCH: int(8, 1, 256),
  /** After a fetch with fewer jobs than the batch holds, how long the worker waits for more. */
  CAPTIONER_JOB_BATCH_WAIT_MS: int(10, 0, 10_000),
  /** Retries of a failed job (exponential backoff from CAPTIONER_JOB_RETRY_DELAY_S) before it is dead. */
  CAPTIONER_JOB_RETRIES: int(3, 0, 100),
  CAPTIONER_JOB_RETRY_DELAY_S: int(2, 1, 3600),
  /** A caption/evaluation job running longer than this is taken to be lost (its worker died) and retried. */
  CAPTIONER_JOB_EXPIRE_S: int(120, 5, 3600),
  /** How often expired jobs are looked for (by one process at a time). */
  CAPTIONER_JOB_MAINTENANCE_S: int(10, 1, 3600),
  /** How long the captionImage mutation waits for its queued caption before answering STILL_RUNNING. */
  CAPTIONER_CAPTION_WAIT_S: int(120, 1, 3600),
  /** Beam width of background captioning (uploads, imports, demo). */
  CAPTIONER_DEFAULT_BEAM: int(3, 1, 10),
  CAPTIONER_ORT_THREADS: int(0, 0, 256),
  CAPTIONER_ORT_PROVIDER: z.enum(['cpu', 'cuda']).default('cpu'),
  CAPTIONER_CUDA_DEVICE_ID: int(0, 0, 64),
  CAPTIONER_GRAPHQL_MAX_DEPTH: int(10, 2, 100),
  CAPTIONER_GRAPHQL_MAX_COST: int(50_000, 10, 10_000_000),
  CAPTIONER_GRAPHQL_MAX_MUTATIONS: int(10, 1, 1000),
  CAPTIONER_HEADERS_TIMEOUT_MS: int(10_000, 100, 600_000),
  CAPTIONER_REQUEST_TIMEOUT_MS: int(120_000, 1_000, 3_600_000),
  /** Seconds graceful shutdown waits for running captioning before leaving the rest for the next start. */
  CAPTIONER_SHUTDOWN_GRACE_S: int(20, 0, 600),
  /** Cached read-only GraphQL responses (0 disables the cache) and how long one may be served. */
  CAPTIONER_RESPONSE_CACHE_ENTRIES: int(500, 0, 100_000),
  CAPTIONER_RESPONSE_CACHE_TTL_MS: int(2000, 0, 3_600_000),
  /** HMAC secret signing voter sessions (32+ characters); unset: generated once into the data directory. */
  CAPTIONER_SESSION_SECRET: z.string().min(32, 'use at least 32 characters (e.g. openssl rand -base64 32)').optional(),
  /**
   * Rate limits (0 = unlimited), counted in PostgreSQL so replicas share them. Each applies per voter session and,
   * multiplied by the address factor (several voters may share an address), per client address.
   */
  CAPTIONER_RATE_LIMIT_UPLOADS_PER_MIN: int(30, 0, 1_000_000),
  CAPTIONER_RATE_LIMIT_CAPTIONS_PER_MIN: int(20, 0, 1_000_000),
  CAPTIONER_RATE_LIMIT_RATINGS_PER_MIN: int(60, 0, 1_000_000),
  CAPTIONER_RATE_LIMIT_PREFERENCES_PER_MIN: int(60, 0, 1_000_000),
  /** New voter sessions per client address, so clearing cookies does not mint unlimited voters. */
  CAPTIONER_RATE_LIMIT_SESSIONS_PER_HOUR: int(20, 0, 1_000_000),
  CAPTIONER_RATE_LIMIT_ADDRESS_FACTOR: int(4, 1, 1000),
  /** Origins whose browser pages may call the API directly (CORS); the gallery needs none. */
  CAPTIONER_CORS_ORIGINS: z
    .string()
    .default('')
    .transform((v) =>
      v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  /** Peers whose X-Forwarded-For is believed (the web server); others are limited by their own address. */
  CAPTIONER_TRUSTED_PROXIES: z
    .string()
    .default('127.0.0.1,::1,::ffff:127.0.0.1')
    .transform((v) =>
      v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  /** Admin credential (Authorization: Bearer ...), 24+ characters; unset: admin operations are disabled. */
  CAPTIONER_ADMIN_TOKEN: z.string().min(24, 'use at least 24 characters (e.g. openssl rand -base64 32)').optional(),
  /** PostgreSQL channel of live progress (LISTEN/NOTIFY); API processes sharing a database must share it. */
  CAPTIONER_PROGRESS_CHANNEL: z
    .string()
    .regex(
      /^[a-z_][a-z0-9_]{0,62}$/,
      'use a lowercase identifier: letters, digits, underscores (e.g. captioner_progress)',
    )
    .default('captioner_progress'),
  /** Image storage: CAPTIONER_IMAGE_STORE and the CAPTIONER_S3_* bucket (storage/storage-config.ts). */
  ...storageEnvShape,
  /** Skip captioning on upload (the queue still runs explicit mutations). For tests and bulk loads. */
  CAPTIONER_CAPTION_ON_UPLOAD: z
    .enum(['true', 'false', '1', '0'])
    .default('true')
    .transform((v) => v === 'true' || v === '1'),
});

/** Every variable the API reads; apps/api/README.md's configuration table must list exactly these (test/config-docs.test.ts). */
export const configVariables: readonly string[] = Object.keys(envSchema.shape);

export interface Config {
  port: number;
  host: string;
  databaseUrl: string | undefined;
  dataDir: string;
  modelsDir: string;
  importRoot: string;
  /** prisma/migrations: the SQL migrations applied at start-up (ship in the repo). */
  migrationsDir: string;
  /** docs/human-agreement.json: each metric's Kendall tau against Flickr8k's human judgements (ships in the repo). */
  humanAgreementFile: string;
  maxUploadBytes: number;
  maxUploadFiles: number;
  maxUploadRequestBytes: number;
  maxPixels: number;
  captionConcurrency: number;
  /** Whether the API process runs a worker too. */
  worker: 'inline' | 'off';
  jobs: JobsConfig;
  /** How long captionImage waits for its queued caption. */
  captionWaitMs: number;
  defaultBeamSize: number;
  ortThreads: number;
  ortProvider: 'cpu' | 'cuda';
  cudaDeviceId: number;
  graphqlMaxDepth: number;
  graphqlMaxCost: number;
  /** Mutations (top-level fields, aliases included) one request may run. */
  graphqlMaxMutationFields: number;
  /** A client slower than this to send its headers, or its whole request, is answered 408 and disconnected. */
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  shutdownGraceMs: number;
  captionOnUpload: boolean;
  /** LISTEN/NOTIFY channel of live progress events (live/progress-bus.ts). */
  progressChannel: string;
  responseCacheEntries: number;
  responseCacheTtlMs: number;
  /** Configured voter-session secret; undefined: the one kept in the data directory (auth/session-secret.ts). */
  sessionSecret: string | undefined;
  rateLimits: RateLimitsConfig;
  trustedProxies: string[];
  /** Origins allowed by CORS (exact `scheme://host[:port]`); empty: none. */
  corsOrigins: string[];
  /** Undefined: no admin operations (importDataset, startEvaluationRun, deleting others' images). */
  adminToken: string | undefined;
  /** Where image bytes go, and the S3 bucket if one is configured. */
  imageStorage: ImageStorageConfig;
}

/** Durable jobs (jobs/job-queue.ts) and the worker's batching. */
export interface JobsConfig {
  batchSize: number;
  batchWaitMs: number;
  retryLimit: number;
  retryDelaySeconds: number;
  expireSeconds: number;
  maintenanceIntervalSeconds: number;
}

/** Requests allowed per window for each limited action (0 = unlimited). */
export interface RateLimitsConfig {
  uploadsPerMinute: number;
  captionsPerMinute: number;
  ratingsPerMinute: number;
  preferencesPerMinute: number;
  sessionsPerHour: number;
  /** Per-address limit = per-voter limit x this. */
  addressFactor: number;
}

/** Parses the environment; throws one error listing every bad variable and what it expects. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(
      `Invalid configuration in the environment:\n${lines.join('\n')}\nSee apps/api/README.md for the variables.`,
    );
  }
  const e = parsed.data;
  return {
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    dataDir: path.resolve(e.CAPTIONER_DATA_DIR),
    modelsDir: path.resolve(e.CAPTIONER_MODELS_DIR),
    importRoot: path.resolve(e.CAPTIONER_IMPORT_ROOT),
    migrationsDir: path.join(repoRoot, 'prisma', 'migrations'),
    humanAgreementFile: path.join(repoRoot, 'docs', 'human-agreement.json'),
    maxUploadBytes: e.CAPTIONER_MAX_UPLOAD_BYTES,
    maxUploadFiles: e.CAPTIONER_MAX_UPLOAD_FILES,
    maxUploadRequestBytes: e.CAPTIONER_MAX_UPLOAD_REQUEST_BYTES,
    maxPixels: e.CAPTIONER_MAX_PIXELS,
    captionConcurrency: e.CAPTIONER_CAPTION_CONCURRENCY,
    worker: e.CAPTIONER_WORKER,
    jobs: {
      batchSize: e.CAPTIONER_JOB_BATCH,
      batchWaitMs: e.CAPTIONER_JOB_BATCH_WAIT_MS,
      retryLimit: e.CAPTIONER_JOB_RETRIES,
      retryDelaySeconds: e.CAPTIONER_JOB_RETRY_DELAY_S,
      expireSeconds: e.CAPTIONER_JOB_EXPIRE_S,
      maintenanceIntervalSeconds: e.CAPTIONER_JOB_MAINTENANCE_S,
    },
    captionWaitMs: e.CAPTIONER_CAPTION_WAIT_S * 1000,
    defaultBeamSize: e.CAPTIONER_DEFAULT_BEAM,
    ortThreads: e.CAPTIONER_ORT_THREADS,
    ortProvider: e.CAPTIONER_ORT_PROVIDER,
    cudaDeviceId: e.CAPTIONER_CUDA_DEVICE_ID,
    graphqlMaxDepth: e.CAPTIONER_GRAPHQL_MAX_DEPTH,
    graphqlMaxCost: e.CAPTIONER_GRAPHQL_MAX_COST,
    graphqlMaxMutationFields: e.CAPTIONER_GRAPHQL_MAX_MUTATIONS,
    headersTimeoutMs: e.CAPTIONER_HEADERS_TIMEOUT_MS,
    requestTimeoutMs: e.CAPTIONER_REQUEST_TIMEOUT_MS,
    shutdownGraceMs: e.CAPTIONER_SHUTDOWN_GRACE_S * 1000,
    captionOnUpload: e.CAPTIONER_CAPTION_ON_UPLOAD,
    progressChannel: e.CAPTIONER_PROGRESS_CHANNEL,
    responseCacheEntries: e.CAPTIONER_RESPONSE_CACHE_ENTRIES,
    responseCacheTtlMs: e.CAPTIONER_RESPONSE_CACHE_TTL_MS,
    sessionSecret: e.CAPTIONER_SESSION_SECRET,
    rateLimits: {
      uploadsPerMinute: e.CAPTIONER_RATE_LIMIT_UPLOADS_PER_MIN,
      captionsPerMinute: e.CAPTIONER_RATE_LIMIT_CAPTIONS_PER_MIN,
      ratingsPerMinute: e.CAPTIONER_RATE_LIMIT_RATINGS_PER_MIN,
      preferencesPerMinute: e.CAPTIONER_RATE_LIMIT_PREFERENCES_PER_MIN,
      sessionsPerHour: e.CAPTIONER_RATE_LIMIT_SESSIONS_PER_HOUR,
      addressFactor: e.CAPTIONER_RATE_LIMIT_ADDRESS_FACTOR,
    },
    trustedProxies: e.CAPTIONER_TRUSTED_PROXIES,
    corsOrigins: e.CAPTIONER_CORS_ORIGINS,
    adminToken: e.CAPTIONER_ADMIN_TOKEN,
    imageStorage: imageStorageConfig(e),
  };
}
