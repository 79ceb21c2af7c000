// Public data types of @captioner/db: what the repositories take and return. The records are derived from
// schema.prisma through Prisma's generated payload types (fields and nullability come from there, the
// selections from columns.ts); only the unions and JSON shapes the schema stores as text/jsonb are narrowed here.
import type { Prisma } from '../generated/prisma/client.js';
import type {
  CAPTION_SELECT,
  EVALUATION_RUN_SELECT,
  IMAGE_SELECT,
  IMPORT_JOB_SELECT,
  MODEL_SELECT,
  PREFERENCE_SELECT,
  RATING_SELECT,
  REFERENCE_SELECT,
} from './columns.js';

/** T with U's fields in place of its own. */
type With<T, U> = Omit<T, keyof U> & U;

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export type Split = 'train' | 'val' | 'test';
export type ImageSource = 'upload' | 'dataset';

/**
 * An image without its bytes (fetch those with `images.getOriginal` / `images.getThumbnail`). `uploaderVoterId`:
 * the voter session that uploaded it (it may delete it); null for imports and anonymous uploads.
 */
export type ImageRecord = With<
  Prisma.ImageGetPayload<{ select: typeof IMAGE_SELECT }>,
  { source: ImageSource; split: Split | null }
>;

export interface NewImage {
  /** The original file. Its SHA-256 is computed here; it is the deduplication key. */
  bytes: Uint8Array;
  mime: string;
  width: number;
  height: number;
  thumbnail: Uint8Array;
  /** Default `image/webp`. */
  thumbnailMime?: string;
  filename?: string | null;
  source: ImageSource;
  dataset?: string | null;
  split?: Split | null;
  /** Recorded only when these bytes are stored for the first time. */
  uploaderVoterId?: string | null;
}

export interface StoredBytes {
  bytes: Buffer;
  mime: string;
  sha256: string;
}

export type ReferenceRecord = Prisma.ReferenceCaptionGetPayload<{ select: typeof REFERENCE_SELECT }>;

export type ModelRecord = With<
  Prisma.ModelGetPayload<{ select: typeof MODEL_SELECT }>,
  { variant: 'lstm' | 'attention'; manifest: JsonObject; params: JsonObject; metrics: JsonObject }
>;

/** Decode settings as stored; `settingsKey` is `decodeSettingsKey(settings)`. */
export type DecodeSettings = Record<string, string | number | boolean>;

export type CaptionRecord = With<
  Prisma.CaptionGetPayload<{ select: typeof CAPTION_SELECT }>,
  { settings: DecodeSettings; nBest: JsonValue; attention: JsonValue | null }
>;

/** A caption without its large JSON columns (n-best list, attention maps): what lists and galleries need. */
export type CaptionSummary = Omit<CaptionRecord, 'nBest' | 'attention'>;

/** The large JSON columns of a caption, loaded only when asked for. */
export type CaptionDetails = Pick<CaptionRecord, 'id' | 'nBest' | 'attention'>;

export interface NewCaption {
  imageId: string;
  modelId: string;
  settings: DecodeSettings;
  text: string;
  tokens: string[];
  tokenIds: number[];
  logProb: number;
  nBest: JsonValue;
  attention?: JsonValue | null;
  sentenceBleu?: number | null;
  latencyMs: number;
}

export type RatingRecord = Prisma.RatingGetPayload<{ select: typeof RATING_SELECT }>;

export interface RatingSummary {
  count: number;
  /** null when unrated */
  mean: number | null;
  /** counts of 1..5 stars, 5 entries */
  histogram: [number, number, number, number, number];
}

export type PreferenceWinner = 'A' | 'B' | 'TIE';

/** `captionAId` / `captionBId` as the caller passed them (the stored canonical order is an internal detail). */
export type PreferenceRecord = With<
  Prisma.PreferenceGetPayload<{ select: typeof PREFERENCE_SELECT }>,
  { winner: PreferenceWinner }
>;

export interface NewPreference {
  imageId: string;
  captionAId: string;
  captionBId: string;
  winner: PreferenceWinner;
  voterId: string;
}

export type EvaluationStatus = 'queued' | 'running' | 'succeeded' | 'failed';

/**
 * `dataset` null: images of every dataset in the split. `cider` (0..10) and `rougeL` (0..1) are the corpus scores
 * once succeeded, each stored with the version of its definition (`ciderVersion`, `rougeLVersion`: null exactly
 * when the score is); null before, and for runs finished before they were measured.
 */
export type EvaluationRunRecord = With<
  Omit<Prisma.EvaluationRunGetPayload<{ select: typeof EVALUATION_RUN_SELECT }>, 'bleu1' | 'bleu2' | 'bleu3' | 'bleu4'>,
  {
    split: Split;
    settings: DecodeSettings;
    status: EvaluationStatus;
    /** [BLEU-1, BLEU-2, BLEU-3, BLEU-4] once succeeded, else null */
    bleu: [number, number, number, number] | null;
  }
>;

/** What a succeeded run stores: its corpus scores, each newer metric with the version of its definition. */
export interface EvaluationResult {
  /** BLEU-1..4 (their definition is the run's `metricVersion`, recorded when it started) */
  bleu: readonly [number, number, number, number];
  cider: { value: number; version: string };
  rougeL: { value: number; version: string };
}

/** One image where two evaluation runs' captions differ (`evaluationRuns.compareCaptions`). */
export interface CaptionDisagreement {
  imageId: string;
  captionAId: string;
  captionBId: string;
  /** sentence BLEU of run A's caption minus run B's */
  bleuDelta: number;
}

/** An imported dataset and its images per split, in train, val, test order. */
export interface DatasetSummary {
  name: string;
  splits: { split: Split; images: number; withReferences: number }[];
}

export interface NewEvaluationRun {
  modelId: string;
  dataset?: string | null;
  split: Split;
  settings: DecodeSettings;
  metricVersion: string;
}

export type ImportJobStatus = 'queued' | 'running' | 'succeeded' | 'failed';
export type ImportFormat = 'flickr8k' | 'karpathy' | 'kaggle';

/** A dataset import: what to import (path .. caption) and how far it got. `splits` empty: every split. */
export type ImportJobRecord = With<
  Prisma.ImportJobGetPayload<{ select: typeof IMPORT_JOB_SELECT }>,
  { format: ImportFormat; splits: Split[]; status: ImportJobStatus; failures: string[] }
>;

export interface NewImportJob {
  /** The dataset directory (the caller resolves and checks it). */
  path: string;
  format: ImportFormat;
  dataset: string;
  /** Empty or absent: every split. */
  splits?: Split[] | null;
  /** Import at most this many images; null or absent: all. */
  importLimit?: number | null;
  /** Caption every imported image too. */
  caption?: boolean;
}

/** An import job's counts after some images; `failures` is the capped list (IMPORT_FAILURES_KEPT). */
export interface ImportJobProgress {
  total: number;
  processed: number;
  created: number;
  skipped: number;
  failed: number;
  failures: string[];
}

export type ImageSort = 'newest' | 'bleu' | 'rating';

export interface ImageFilter {
  /** only images with a caption of this model; scopes the rating/BLEU filters and sort values to it */
  modelId?: string | null;
  split?: Split | null;
  source?: ImageSource | null;
  dataset?: string | null;
  hasReferences?: boolean | null;
  /** inclusive bounds on the mean star rating; unrated images are excluded when a bound is given */
  minRating?: number | null;
  maxRating?: number | null;
  /** inclusive bounds on the best sentence BLEU; images without BLEU are excluded when a bound is given */
  minBleu?: number | null;
  maxBleu?: number | null;
  /** full-text search (websearch syntax, English stemming) over generated and reference captions */
  search?: string | null;
}

export interface ListImagesQuery {
  filter?: ImageFilter;
  /** default 'newest'; 'bleu' and 'rating' are highest first with unscored images last */
  sort?: ImageSort;
  /** `endCursor` of the previous page */
  after?: string | null;
  /** 1..100, default 24 */
  first?: number;
}

/** An image plus the aggregates the gallery shows and sorts by (scoped to `filter.modelId` when given). */
export interface GalleryImage extends ImageRecord {
  meanRating: number | null;
  ratingCount: number;
  bestBleu: number | null;
}

export interface ImagePage {
  items: { cursor: string; image: GalleryImage }[];
  hasNextPage: boolean;
  endCursor: string | null;
}

/** Unscoped aggregates of one image (what `Image.meanRating` / `Image.bestBleu` show). */
export interface ImageStats {
  meanRating: number | null;
  ratingCount: number;
  bestBleu: number | null;
}

export interface ModelRatingStats {
  modelId: string;
  count: number;
  mean: number | null;
  /** sample variance (n - 1); null with fewer than 2 ratings */
  variance: number | null;
}

/** Preference counts for one unordered pair of models; `modelA < modelB`. Ties are counted once. */
export interface PreferencePairCounts {
  modelA: string;
  modelB: string;
  winsA: number;
  winsB: number;
  ties: number;
}

export interface BleuRatingPoint {
  modelId: string;
  captionId: string;
  sentenceBleu: number;
  meanRating: number;
  ratingCount: number;
}

export interface ComparisonCandidate {
  imageId: string;
  captionAId: string;
  captionBId: string;
}
