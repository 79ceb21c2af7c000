// What each record reads, as Prisma Client selections: the repositories pass them to Prisma, and
// types.ts derives the public record types from them, so schema.prisma is the one list of fields.
import type { Prisma } from '../generated/prisma/client.js';

/** Every image column but the bytes and the trigger-kept aggregates. */
export const IMAGE_SELECT = {
  id: true,
  sha256: true,
  mime: true,
  byteSize: true,
  width: true,
  height: true,
  thumbnailMime: true,
  filename: true,
  source: true,
  dataset: true,
  split: true,
  createdAt: true,
  uploaderVoterId: true,
} as const satisfies Prisma.ImageSelect;

export const REFERENCE_SELECT = {
  id: true,
  imageId: true,
  text: true,
  position: true,
} as const satisfies Prisma.ReferenceCaptionSelect;

export const MODEL_SELECT = {
  id: true,
  variant: true,
  dataset: true,
  format: true,
  manifest: true,
  params: true,
  metrics: true,
  createdAt: true,
  updatedAt: true,
} as const satisfies Prisma.ModelSelect;

/**
 * A caption without n_best and attention: those JSON columns are large (an attention grid per word) and
 * most reads never show them.
 */
export const CAPTION_SUMMARY_SELECT = {
  id: true,
  imageId: true,
  modelId: true,
  settingsKey: true,
  settings: true,
  text: true,
  tokens: true,
  tokenIds: true,
  logProb: true,
  sentenceBleu: true,
  latencyMs: true,
  createdAt: true,
} as const satisfies Prisma.CaptionSelect;

export const CAPTION_DETAILS_SELECT = {
  id: true,
  nBest: true,
  attention: true,
} as const satisfies Prisma.CaptionSelect;

export const CAPTION_SELECT = {
  ...CAPTION_SUMMARY_SELECT,
  ...CAPTION_DETAILS_SELECT,
} as const satisfies Prisma.CaptionSelect;

export const RATING_SELECT = {
  id: true,
  captionId: true,
  voterId: true,
  stars: true,
  createdAt: true,
  updatedAt: true,
} as const satisfies Prisma.RatingSelect;

export const PREFERENCE_SELECT = {
  id: true,
  imageId: true,
  captionAId: true,
  captionBId: true,
  winner: true,
  voterId: true,
  createdAt: true,
  updatedAt: true,
} as const satisfies Prisma.PreferenceSelect;

/** Every evaluation-run column; bleu1..4 become EvaluationRunRecord's `bleu` array. */
export const EVALUATION_RUN_SELECT = {
  id: true,
  modelId: true,
  dataset: true,
  split: true,
  settingsKey: true,
  settings: true,
  status: true,
  done: true,
  total: true,
  reusedCaptions: true,
  bleu1: true,
  bleu2: true,
  bleu3: true,
  bleu4: true,
  metricVersion: true,
  cider: true,
  ciderVersion: true,
  rougeL: true,
  rougeLVersion: true,
  error: true,
  createdAt: true,
  updatedAt: true,
  startedAt: true,
  finishedAt: true,
} as const satisfies Prisma.EvaluationRunSelect;

/** Every import-job column. */
export const IMPORT_JOB_SELECT = {
  id: true,
  path: true,
  format: true,
  dataset: true,
  splits: true,
  importLimit: true,
  caption: true,
  status: true,
  total: true,
  processed: true,
  created: true,
  skipped: true,
  failed: true,
  failures: true,
  error: true,
  createdAt: true,
  updatedAt: true,
  startedAt: true,
  finishedAt: true,
} as const satisfies Prisma.ImportJobSelect;
