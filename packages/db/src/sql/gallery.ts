// Raw SQL: the gallery query, filtered, sorted images with keyset (cursor) pagination and their rating/BLEU
// aggregates (scoped to the filter's model when there is one), one statement per page, and its count.
// Raw because Prisma cannot express: the sort keys and keyset comparisons on expressions, which must match the
// expression indexes of migration 20261125200000_gallery_stats so every sort walks an index; the per-model
// aggregate subquery; and full-text search (websearch_to_tsquery over tsvector columns).
import { z } from 'zod';
import { Params, rawRows, type DbContext } from '../context.js';
import { InvalidInputError } from '../errors.js';
import { BLEU_FILTER, PAGE_SIZE, RATING_FILTER } from '../limits.js';
import type { GalleryImage, ImageFilter, ImagePage, ImageSort, ListImagesQuery } from '../types.js';

const SORTS: readonly ImageSort[] = ['newest', 'bleu', 'rating'];

// Aggregates of the gallery rows `g`: per image (kept by triggers) or, with a model filter, per image
// over that model's captions. MEAN must stay textually identical to the images_rating_sort_idx index.
const MEAN = `COALESCE(g.rating_sum::float8 / NULLIF(g.rating_count, 0), -1)`;
// Sort key per sort, highest first; images without a score get -1 so they come last. For the unscoped
// gallery these match the expression indexes of migration 20261125200000_gallery_stats.
const SORT_KEY: Record<ImageSort, string> = {
  newest: 'g.created_at',
  bleu: 'COALESCE(g.best_bleu, -1)',
  rating: MEAN,
};

interface Cursor {
  sort: ImageSort;
  value: string | number;
  id: string;
}

function encodeCursor(sort: ImageSort, image: GalleryImage): string {
  const value =
    sort === 'newest'
      ? image.createdAt.toISOString()
      : sort === 'bleu'
        ? (image.bestBleu ?? -1)
        : (image.meanRating ?? -1);
  return Buffer.from(JSON.stringify({ s: sort, v: value, i: image.id })).toString('base64url');
}

function decodeCursor(cursor: string, sort: ImageSort): Cursor {
  let parsed: { s?: unknown; v?: unknown; i?: unknown };
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as typeof parsed;
  } catch {
    throw new InvalidInputError('Invalid cursor: pass a pageInfo.endCursor returned by an earlier page.');
  }
  const validValue =
    sort === 'newest'
      ? typeof parsed.v === 'string' && !Number.isNaN(Date.parse(parsed.v))
      : typeof parsed.v === 'number' && Number.isFinite(parsed.v);
  if (parsed.s !== sort || !validValue || typeof parsed.i !== 'string' || !/^[0-9a-f-]{36}$/i.test(parsed.i)) {
    throw new InvalidInputError(
      'Invalid cursor for this sort: pass the endCursor of the previous page of the same query.',
    );
  }
  return { sort, value: parsed.v as string | number, id: parsed.i };
}

function checkRange(
  name: string,
  min: number | null | undefined,
  max: number | null | undefined,
  lo: number,
  hi: number,
) {
  for (const [label, value] of [
    [`min${name}`, min],
    [`max${name}`, max],
  ] as const) {
    if (value !== null && value !== undefined && (!Number.isFinite(value) || value < lo || value > hi)) {
      throw new InvalidInputError(`${label} must be a number from ${lo} to ${hi} (got ${value}).`);
    }
  }
}

const GalleryRow = z.object({
  id: z.string(),
  sha256: z.string(),
  mime: z.string(),
  byteSize: z.number().int(),
  width: z.number().int(),
  height: z.number().int(),
  thumbnailMime: z.string(),
  filename: z.string().nullable(),
  source: z.enum(['upload', 'dataset']),
  dataset: z.string().nullable(),
  split: z.enum(['train', 'val', 'test']).nullable(),
  createdAt: z.date(),
  uploaderVoterId: z.string().nullable(),
  meanRating: z.number().nullable(),
  ratingCount: z.number().int(),
  bestBleu: z.number().nullable(),
}) satisfies z.ZodType<GalleryImage>;

const CountRow = z.object({ count: z.number().int() });

const GALLERY_COLUMNS = `g.id, g.sha256, g.mime, g.byte_size AS "byteSize", g.width, g.height,
  g.thumbnail_mime AS "thumbnailMime", g.filename, g.source, g.dataset, g.split, g.created_at AS "createdAt",
  g.uploader_voter_id AS "uploaderVoterId", g.rating_sum::float8 / NULLIF(g.rating_count, 0) AS "meanRating", g.rating_count AS "ratingCount",
  g.best_bleu AS "bestBleu"`;

/**
 * FROM clause yielding gallery rows `g` (image columns plus rating_count, rating_sum, best_bleu), and
 * the WHERE conditions of the filter. Without a model filter `g` is the images table itself, so sorts
 * and keyset pages walk an index; with one, `g` joins that model's per-image caption aggregates.
 */
function filteredImages(filter: ImageFilter, params: Params): { from: string; where: string[] } {
  checkRange('Rating', filter.minRating, filter.maxRating, RATING_FILTER.min, RATING_FILTER.max);
  checkRange('Bleu', filter.minBleu, filter.maxBleu, BLEU_FILTER.min, BLEU_FILTER.max);
  const where: string[] = [];
  let from = 'images g';
  let captionScope = '';
  if (filter.modelId) {
    const model = params.add(filter.modelId);
    captionScope = `AND c.model_id = ${model}`;
    from = `(SELECT i.id, i.sha256, i.mime, i.byte_size, i.width, i.height, i.thumbnail_mime, i.filename, i.source,
                    i.dataset, i.split, i.created_at, i.uploader_voter_id, s.rating_count, s.rating_sum, s.best_bleu
             FROM images i
             JOIN (SELECT c.image_id, sum(c.rating_count)::int AS rating_count, sum(c.rating_sum)::int AS rating_sum,
                          max(c.sentence_bleu) AS best_bleu
                   FROM captions c WHERE c.model_id = ${model} GROUP BY c.image_id) s ON s.image_id = i.id) g`;
  }
  if (filter.split) where.push(`g.split = ${params.add(filter.split)}`);
  if (filter.source) where.push(`g.source = ${params.add(filter.source)}`);
  if (filter.dataset) where.push(`g.dataset = ${params.add(filter.dataset)}`);
  if (filter.hasReferences === true || filter.hasReferences === false) {
    where.push(
      `${filter.hasReferences ? '' : 'NOT '}EXISTS (SELECT 1 FROM reference_captions rc WHERE rc.image_id = g.id)`,
    );
  }
  const search = filter.search?.trim();
  if (search) {
    const query = `websearch_to_tsquery('english', ${params.add(search)})`;
    where.push(`g.id IN (SELECT c.image_id FROM captions c WHERE c.search @@ ${query} ${captionScope}
      UNION SELECT rc.image_id FROM reference_captions rc WHERE rc.search @@ ${query})`);
  }
  if (filter.minRating != null)
    where.push(`g.rating_sum::float8 / NULLIF(g.rating_count, 0) >= ${params.add(filter.minRating)}`);
  if (filter.maxRating != null)
    where.push(`g.rating_sum::float8 / NULLIF(g.rating_count, 0) <= ${params.add(filter.maxRating)}`);
  if (filter.minBleu != null) where.push(`g.best_bleu >= ${params.add(filter.minBleu)}`);
  if (filter.maxBleu != null) where.push(`g.best_bleu <= ${params.add(filter.maxBleu)}`);
  return { from, where };
}

export async function listImages(ctx: DbContext, query: ListImagesQuery): Promise<ImagePage> {
  const sort = query.sort ?? 'newest';
  if (!SORTS.includes(sort)) throw new InvalidInputError(`Unknown sort "${String(sort)}"; use ${SORTS.join(', ')}.`);
  const first = query.first ?? PAGE_SIZE.default;
  if (!Number.isInteger(first) || first < PAGE_SIZE.min || first > PAGE_SIZE.max) {
    throw new InvalidInputError(
      `first must be a whole number from ${PAGE_SIZE.min} to ${PAGE_SIZE.max} (got ${first}).`,
    );
  }
  const params = new Params();
  const { from, where } = filteredImages(query.filter ?? {}, params);
  const key = SORT_KEY[sort];
  if (query.after) {
    const cursor = decodeCursor(query.after, sort);
    const value =
      sort === 'newest' ? `${params.add(cursor.value)}::timestamptz` : `${params.add(cursor.value)}::float8`;
    where.push(`(${key}, g.id) < (${value}, ${params.add(cursor.id)}::uuid)`);
  }
  const rows = await rawRows(
    ctx,
    GalleryRow,
    `SELECT ${GALLERY_COLUMNS} FROM ${from}
     ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
     ORDER BY ${key} DESC, g.id DESC
     LIMIT ${first + 1}`,
    params.values,
  );
  const page = rows.slice(0, first);
  const items = page.map((image) => ({ cursor: encodeCursor(sort, image), image }));
  return { items, hasNextPage: rows.length > first, endCursor: items.at(-1)?.cursor ?? null };
}

export async function countImages(ctx: DbContext, filter: ImageFilter): Promise<number> {
  const params = new Params();
  const { from, where } = filteredImages(filter, params);
  const [row] = await rawRows(
    ctx,
    CountRow,
    `SELECT count(*)::int AS count FROM ${from} ${where.length ? `WHERE ${where.join(' AND ')}` : ''}`,
    params.values,
  );
  return row?.count ?? 0;
}
