// The gallery query: filtered, sorted images with keyset (cursor) pagination, and their rating/BLEU
// aggregates scoped to the filter's model. One SQL statement per page.
import { Params, sql, type DbContext } from '../context.js';
import { InvalidInputError } from '../errors.js';
import type { GalleryImage, ImageFilter, ImagePage, ImageSort, ListImagesQuery } from '../types.js';
import { IMAGE_COLUMNS } from './images.js';

const SORTS: readonly ImageSort[] = ['newest', 'bleu', 'rating'];
const MAX_PAGE = 100;

// Sort key per sort, highest first; images without a score get -1 so they come last.
const SORT_KEY: Record<ImageSort, string> = {
  newest: 'g."createdAt"',
  bleu: 'COALESCE(g."bestBleu", -1)',
  rating: 'COALESCE(g."meanRating", -1)',
};

interface Cursor {
  sort: ImageSort;
  value: string | number;
  id: string;
}

function encodeCursor(sort: ImageSort, image: GalleryImage): string {
  const value =
    sort === 'newest' ? image.createdAt.toISOString() : sort === 'bleu' ? (image.bestBleu ?? -1) : (image.meanRating ?? -1);
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

function checkRange(name: string, min: number | null | undefined, max: number | null | undefined, lo: number, hi: number) {
  for (const [label, value] of [
    [`min${name}`, min],
    [`max${name}`, max],
  ] as const) {
    if (value !== null && value !== undefined && (!Number.isFinite(value) || value < lo || value > hi)) {
      throw new InvalidInputError(`${label} must be a number from ${lo} to ${hi} (got ${value}).`);
    }
  }
}

/**
 * SELECT of images matching the filter with their scoped aggregates, as rows of `g`, plus the
 * conditions on the aggregates. Aggregates come from a LATERAL subquery so PostgreSQL computes them
 * only for the rows it needs when the sort can use an index (newest).
 */
function filteredImages(filter: ImageFilter, params: Params): { from: string; where: string[] } {
  checkRange('Rating', filter.minRating, filter.maxRating, 0, 5);
  checkRange('Bleu', filter.minBleu, filter.maxBleu, 0, 1);
  const imageWhere: string[] = [];
  const modelClause = filter.modelId ? `AND c.model_id = ${params.add(filter.modelId)}` : '';
  if (filter.modelId) {
    imageWhere.push(`EXISTS (SELECT 1 FROM captions c WHERE c.image_id = i.id ${modelClause})`);
  }
  if (filter.split) imageWhere.push(`i.split = ${params.add(filter.split)}`);
  if (filter.source) imageWhere.push(`i.source = ${params.add(filter.source)}`);
  if (filter.dataset) imageWhere.push(`i.dataset = ${params.add(filter.dataset)}`);
  if (filter.hasReferences === true || filter.hasReferences === false) {
    imageWhere.push(
      `${filter.hasReferences ? '' : 'NOT '}EXISTS (SELECT 1 FROM reference_captions rc WHERE rc.image_id = i.id)`,
    );
  }
  const search = filter.search?.trim();
  if (search) {
    const query = `websearch_to_tsquery('english', ${params.add(search)})`;
    imageWhere.push(`i.id IN (SELECT c.image_id FROM captions c WHERE c.search @@ ${query} ${modelClause}
      UNION SELECT rc.image_id FROM reference_captions rc WHERE rc.search @@ ${query})`);
  }
  const from = `(
    SELECT ${IMAGE_COLUMNS}, s."meanRating", s."ratingCount", s."bestBleu"
    FROM images i
    LEFT JOIN LATERAL (
      SELECT avg(r.stars)::float8 AS "meanRating", count(r.id)::int AS "ratingCount",
             max(c.sentence_bleu) AS "bestBleu"
      FROM captions c LEFT JOIN ratings r ON r.caption_id = c.id
      WHERE c.image_id = i.id ${modelClause}
    ) s ON true
    ${imageWhere.length ? `WHERE ${imageWhere.join(' AND ')}` : ''}
  ) g`;
  const where: string[] = [];
  if (filter.minRating != null) where.push(`g."meanRating" >= ${params.add(filter.minRating)}`);
  if (filter.maxRating != null) where.push(`g."meanRating" <= ${params.add(filter.maxRating)}`);
  if (filter.minBleu != null) where.push(`g."bestBleu" >= ${params.add(filter.minBleu)}`);
  if (filter.maxBleu != null) where.push(`g."bestBleu" <= ${params.add(filter.maxBleu)}`);
  return { from, where };
}

export async function listImages(ctx: DbContext, query: ListImagesQuery): Promise<ImagePage> {
  const sort = query.sort ?? 'newest';
  if (!SORTS.includes(sort)) throw new InvalidInputError(`Unknown sort "${String(sort)}"; use ${SORTS.join(', ')}.`);
  const first = query.first ?? 24;
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE) {
    throw new InvalidInputError(`first must be a whole number from 1 to ${MAX_PAGE} (got ${first}).`);
  }
  const params = new Params();
  const { from, where } = filteredImages(query.filter ?? {}, params);
  const key = SORT_KEY[sort];
  if (query.after) {
    const cursor = decodeCursor(query.after, sort);
    const value = sort === 'newest' ? `${params.add(cursor.value)}::timestamptz` : `${params.add(cursor.value)}::float8`;
    where.push(`(${key}, g.id) < (${value}, ${params.add(cursor.id)}::uuid)`);
  }
  const rows = await sql<GalleryImage>(
    ctx,
    `SELECT g.* FROM ${from}
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
  const [row] = await sql<{ count: number }>(
    ctx,
    `SELECT count(*)::int AS count FROM ${from} ${where.length ? `WHERE ${where.join(' AND ')}` : ''}`,
    params.values,
  );
  return row?.count ?? 0;
}
