// TypeScript shapes of the GraphQL fields this app selects (apps/api/src/schema.graphql is the contract).
export type Split = 'TRAIN' | 'VAL' | 'TEST';
export type ModelVariant = 'LSTM' | 'ATTENTION';
export type ImageSort = 'NEWEST' | 'BLEU' | 'RATING';
export type PreferenceWinner = 'A' | 'B' | 'TIE';
export type EvaluationStatus = 'QUEUED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED';

export interface ModelRef {
  id: string;
  variant: ModelVariant;
}

export interface CaptionSummary {
  id: string;
  text: string;
  sentenceBleu: number | null;
  model: ModelRef;
}

export interface GalleryImage {
  id: string;
  filename: string | null;
  width: number;
  height: number;
  thumbnailUrl: string;
  split: Split | null;
  meanRating: number | null;
  bestBleu: number | null;
  captioningPending: boolean;
  captions: CaptionSummary[];
}

export interface ImageConnection {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  edges: { cursor: string; node: GalleryImage }[];
}

export interface Hypothesis {
  text: string;
  logProb: number;
  score: number;
}

export interface AttentionStep {
  word: string;
  weights: number[];
}

export interface Attention {
  rows: number;
  cols: number;
  steps: AttentionStep[];
}

export interface RatingSummary {
  count: number;
  mean: number | null;
  histogram: number[];
}

export interface CaptionDetail extends CaptionSummary {
  tokens: string[];
  sentenceRougeL: number | null;
  /** CIDEr-D within the image's dataset split (document frequencies from its references) */
  sentenceCiderD: number | null;
  logProb: number;
  latencyMs: number;
  nBest: Hypothesis[];
  attention: Attention | null;
  decode: { beamSize: number; maxLength: number };
  ratings: RatingSummary;
  myRating: number | null;
}

export interface ImageDetail {
  id: string;
  /** The current visitor's voter session uploaded it, so may delete it. */
  uploadedByMe: boolean;
  filename: string | null;
  width: number;
  height: number;
  originalUrl: string;
  thumbnailUrl: string;
  source: 'UPLOAD' | 'DATASET';
  dataset: string | null;
  split: Split | null;
  references: string[];
  captioningPending: boolean;
  meanRating: number | null;
  createdAt: string;
  captions: CaptionDetail[];
}

export interface ModelInfo {
  id: string;
  variant: ModelVariant;
  dataset: string;
  loaded: boolean;
  loadError: string | null;
  params: { trainable: number; frozen: number; total: number };
  /** cider and rougeL are null for manifests exported before they were measured */
  trainingMetrics: { split: Split; loss: number | null; bleu: number[]; cider: number | null; rougeL: number | null }[];
}

export interface EvaluationRun {
  id: string;
  model: ModelRef;
  split: Split;
  dataset: string | null;
  decode: { beamSize: number; maxLength: number };
  status: EvaluationStatus;
  progress: number;
  processed: number;
  total: number;
  reusedCaptions: number;
  bleu: number[] | null;
  /** null until it succeeds, and for runs that finished before CIDEr-D / ROUGE-L were measured */
  cider: number | null;
  rougeL: number | null;
  error: string | null;
  createdAt: string;
  finishedAt: string | null;
}

export interface Dataset {
  name: string;
  splits: { split: Split; images: number; withReferences: number }[];
}

export interface CaptionDisagreement {
  image: { id: string; width: number; height: number; thumbnailUrl: string };
  captionA: { id: string; text: string; sentenceBleu: number | null };
  captionB: { id: string; text: string; sentenceBleu: number | null };
  bleuDelta: number;
}

export interface EvaluationRunComparison {
  sharedImages: number;
  disagreements: CaptionDisagreement[];
}

export interface Interval {
  low: number | null;
  high: number | null;
}

export interface LeaderboardEntry {
  /** Arena-style rank; null when the model has no blind comparisons ("not enough votes"). */
  rank: number | null;
  model: ModelInfo;
  rating: { count: number; mean: number | null } & Interval;
  preference: { strength: number; wins: number; losses: number; ties: number; comparisons: number } & Interval;
  bleu: {
    split: Split;
    bleu: number[];
    cider: number | null;
    rougeL: number | null;
    run: { id: string; decode: { beamSize: number } };
  }[];
  bleuRatingCorrelation: Correlation;
  rougeLRatingCorrelation: Correlation;
  ciderRatingCorrelation: Correlation;
  bleuRatingPoints: { captionId: string; sentenceBleu: number; meanRating: number; ratingCount: number }[];
}

export interface Leaderboard {
  entries: LeaderboardEntry[];
  preferenceCount: number;
  ratingCount: number;
  bleuRatingCorrelation: Correlation;
  rougeLRatingCorrelation: Correlation;
  ciderRatingCorrelation: Correlation;
}

/** Spearman's rho of a metric against mean ratings, over n rated captions. */
export interface Correlation {
  rho: number | null;
  n: number;
}

export interface MetricAgreement {
  metric: string;
  kendall: number;
  published: number | null;
}

export interface MetricHumanAgreement {
  publishedSource: string;
  judgementSets: {
    name: string;
    file: string;
    tau: string;
    judgements: number;
    images: number;
    protocol: string;
    metrics: MetricAgreement[];
  }[];
}

export interface Comparison {
  image: { id: string; width: number; height: number; originalUrl: string; references: string[] };
  captionA: CaptionSummary;
  captionB: CaptionSummary;
}
