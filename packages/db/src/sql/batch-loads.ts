// Raw SQL: the per-request batch loads a gallery page makes through the DataLoaders (captions, references,
// rating histograms and the voter's stars of a page, the models and unscoped stats of its images). Prisma
// Client can express these, and did, but it costs more CPU per call than pg: with them on Prisma the gallery
// page bench (bench/gallery-query.ts, README.md "Performance") took twice the Node CPU per page and served
// 35-48 % fewer pages/s at 20 clients. So these reads stay one plain statement each, with every row validated
// against the record type schema.prisma gives.
import { z } from 'zod';
import { rawRows, type DbContext } from '../context.js';
import type {
  CaptionRecord,
  CaptionSummary,
  DecodeSettings,
  ImageStats,
  JsonObject,
  JsonValue,
  ModelRecord,
  ReferenceRecord,
} from '../types.js';

// Checked per row: every column is there with its type. Not re-checked element by element (that tripled the
// cost of a page's checks): JSON columns, only ever written from these types, and arrays, whose elements the
// column types (text[], integer[]) already fix.
const json = <T extends JsonValue>() => z.custom<T>((value) => value !== undefined);
const settings = z.custom<DecodeSettings>(
  (value) => typeof value === 'object' && value !== null && !Array.isArray(value),
);
const array = <T>() => z.custom<T[]>(Array.isArray);

const CaptionSummaryRow = z.object({
  id: z.string(),
  imageId: z.string(),
  modelId: z.string(),
  settingsKey: z.string(),
  settings,
  text: z.string(),
  tokens: array<string>(),
  tokenIds: array<number>(),
  logProb: z.number(),
  sentenceBleu: z.number().nullable(),
  latencyMs: z.number(),
  createdAt: z.date(),
}) satisfies z.ZodType<CaptionSummary>;

const CaptionRow = CaptionSummaryRow.extend({
  nBest: json(),
  attention: json().nullable(),
}) satisfies z.ZodType<CaptionRecord>;

const CAPTION_SUMMARY_COLUMNS = `c.id, c.image_id AS "imageId", c.model_id AS "modelId", c.settings_key AS "settingsKey",
  c.settings, c.text, c.tokens, c.token_ids AS "tokenIds", c.log_prob AS "logProb",
  c.sentence_bleu AS "sentenceBleu", c.latency_ms AS "latencyMs", c.created_at AS "createdAt"`;

/** Captions of these images, newest first within each image. */
export function captionsOfImages(ctx: DbContext, imageIds: string[]): Promise<CaptionRecord[]> {
  return rawRows(
    ctx,
    CaptionRow,
    `SELECT ${CAPTION_SUMMARY_COLUMNS}, c.n_best AS "nBest", c.attention
     FROM captions c WHERE c.image_id = ANY($1::uuid[]) ORDER BY c.image_id, c.created_at DESC, c.id`,
    [imageIds],
  );
}

/** The same without the large JSON columns (n-best lists, attention maps). */
export function captionSummariesOfImages(ctx: DbContext, imageIds: string[]): Promise<CaptionSummary[]> {
  return rawRows(
    ctx,
    CaptionSummaryRow,
    `SELECT ${CAPTION_SUMMARY_COLUMNS}
     FROM captions c WHERE c.image_id = ANY($1::uuid[]) ORDER BY c.image_id, c.created_at DESC, c.id`,
    [imageIds],
  );
}

const ReferenceRow = z.object({
  id: z.string(),
  imageId: z.string(),
  text: z.string(),
  position: z.number().int(),
}) satisfies z.ZodType<ReferenceRecord>;

/** Reference captions of these images, in dataset order within each image. */
export function referencesOfImages(ctx: DbContext, imageIds: string[]): Promise<ReferenceRecord[]> {
  return rawRows(
    ctx,
    ReferenceRow,
    `SELECT rc.id, rc.image_id AS "imageId", rc.text, rc.position FROM reference_captions rc
     WHERE rc.image_id = ANY($1::uuid[]) ORDER BY rc.image_id, rc.position, rc.id`,
    [imageIds],
  );
}

const StarCountRow = z.object({ captionId: z.string(), stars: z.number().int(), count: z.number().int() });

/** How many ratings of each star count these captions have (absent: none). */
export function starCounts(ctx: DbContext, captionIds: string[]) {
  return rawRows(
    ctx,
    StarCountRow,
    `SELECT r.caption_id AS "captionId", r.stars, count(*)::int AS count FROM ratings r
     WHERE r.caption_id = ANY($1::uuid[]) GROUP BY r.caption_id, r.stars`,
    [captionIds],
  );
}

const VoterStarsRow = z.object({ captionId: z.string(), stars: z.number().int() });

/** The voter's stars on these captions (unrated ones absent). */
export function starsOfVoter(ctx: DbContext, voterId: string, captionIds: string[]) {
  return rawRows(
    ctx,
    VoterStarsRow,
    `SELECT r.caption_id AS "captionId", r.stars FROM ratings r
     WHERE r.voter_id = $1 AND r.caption_id = ANY($2::uuid[])`,
    [voterId, captionIds],
  );
}

const ModelRow = z.object({
  id: z.string(),
  variant: z.enum(['lstm', 'attention']),
  dataset: z.string(),
  format: z.number().int(),
  manifest: json<JsonObject>(),
  params: json<JsonObject>(),
  metrics: json<JsonObject>(),
  createdAt: z.date(),
  updatedAt: z.date(),
}) satisfies z.ZodType<ModelRecord>;

/** These models (unknown ids absent). */
export function modelsByIds(ctx: DbContext, ids: string[]): Promise<ModelRecord[]> {
  return rawRows(
    ctx,
    ModelRow,
    `SELECT m.id, m.variant, m.dataset, m.format, m.manifest, m.params, m.metrics,
       m.created_at AS "createdAt", m.updated_at AS "updatedAt" FROM models m WHERE m.id = ANY($1::text[])`,
    [ids],
  );
}

const ImageStatsRow = z.object({
  id: z.string(),
  meanRating: z.number().nullable(),
  ratingCount: z.number().int(),
  bestBleu: z.number().nullable(),
}) satisfies z.ZodType<ImageStats & { id: string }>;

/** Unscoped rating/BLEU aggregates of these images, kept by triggers (unknown ids absent). */
export function imageStats(ctx: DbContext, imageIds: string[]) {
  return rawRows(
    ctx,
    ImageStatsRow,
    `SELECT i.id, i.rating_sum::float8 / NULLIF(i.rating_count, 0) AS "meanRating", i.rating_count AS "ratingCount",
            i.best_bleu AS "bestBleu"
     FROM images i WHERE i.id = ANY($1::uuid[])`,
    [imageIds],
  );
}
