// Public data types of @captioner/db: what the repositories take and return. Plain objects, no Prisma
// types, so callers never depend on the generated client.

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export type Split = 'train' | 'val' | 'test';
export type ImageSource = 'upload' | 'dataset';

/** An image without its bytes (fetch those with `images.getOriginal` / `images.getThumbnail`). */
export interface ImageRecord {
  id: string;
  sha256: string;
  mime: string;
  byteSize: number;
  width: number;
  height: number;
  thumbnailMime: string;
  filename: string | null;
  source: ImageSource;
  dataset: string | null;
  split: Split | null;
  createdAt: Date;
  /** The voter session that uploaded it (it may delete it); null for imports and anonymous uploads. */
  uploaderVoterId: string | null;
}

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

export interface ReferenceRecord {
  id: string;
  imageId: string;
  text: string;
  position: number;
}

export interface ModelRecord {
  id: string;
  variant: 'lstm' | 'attention';
  dataset: string;
  format: number;
  manifest: JsonObject;
  params: JsonObject;
  metrics: JsonObject;
  createdAt: Date;
  updatedAt: Date;
}

/** Decode settings as stored; `settingsKey` is `decodeSettingsKey(settings)`. */
export type DecodeSettings = Record<string, string | number | boolean>;

export interface CaptionRecord {
  id: string;
  imageId: string;
  modelId: string;
  settingsKey: string;
  settings: DecodeSettings;
  text: string;
  tokens: string[];
  tokenIds: number[];
  logProb: number;
  nBest: JsonValue;
  attention: JsonValue | null;
  sentenceBleu: number | null;
  latencyMs: number;
  createdAt: Date;
}

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

export interface RatingRecord {
  id: string;
  captionId: string;
  voterId: string;
  stars: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface RatingSummary {
  count: number;
  /** null when unrated */
  mean: number | null;
  /** counts of 1..5 stars, 5 entries */
  histogram: [number, number, number, number, number];
}

export type PreferenceWinner = 'A' | 'B' | 'TIE';

export interface PreferenceRecord {
  id: string;
  imageId: string;
  /** As the caller passed them (the stored canonical order is an internal detail). */
  captionAId: string;
  captionBId: string;
  winner: PreferenceWinner;
  voterId: string;
  createdAt: Date;
  updatedAt: Date;
}

export interface NewPreference {
  imageId: string;
  captionAId: string;
  captionBId: string;
  winner: PreferenceWinner;
  voterId: string;
}

export type EvaluationStatus = 'queued' | 'running' | 'succeeded' | 'failed';

export interface EvaluationRunRecord {
  id: string;
  modelId: string;
  /** null: images of every dataset in the split */
  dataset: string | null;
  split: Split;
  settingsKey: string;
  settings: DecodeSettings;
  status: EvaluationStatus;
  done: number;
  total: number;
  reusedCaptions: number;
  /** [BLEU-1, BLEU-2, BLEU-3, BLEU-4] once succeeded, else null */
  bleu: [number, number, number, number] | null;
  metricVersion: string;
  /** Corpus CIDEr-D (0..10) once succeeded; null before, and for runs finished before it was measured */
  cider: number | null;
  /** The CIDEr-D definition `cider` was computed with; null exactly when `cider` is */
  ciderVersion: string | null;
  /** Corpus ROUGE-L (0..1) once succeeded; null before, and for runs finished before it was measured */
  rougeL: number | null;
  /** The ROUGE-L definition `rougeL` was computed with; null exactly when `rougeL` is */
  rougeLVersion: string | null;
  error: string | null;
  createdAt: Date;
  updatedAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

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
