// The gallery's URL state (filters, search, sort) and how it maps to the `images` query. Shared by the server
// page (first page) and the client grid (next pages), so both ask for exactly the same thing.
import { BLEU_FILTER, PAGE_SIZE, RATING_FILTER } from '@captioner/db/limits';
import { graphql } from '@/generated';
import type { GalleryPageFieldsFragment, GalleryQueryVariables, ImageFilter } from '@/generated/graphql';
import type { ImageSort, Split } from './fragments';

export const GALLERY_PAGE_SIZE = PAGE_SIZE.default;

graphql(`
  fragment GalleryPageFields on ImageConnection {
    totalCount
    pageInfo {
      hasNextPage
      endCursor
    }
    edges {
      cursor
      node {
        ...GalleryImageFields
      }
    }
  }
`);
/** One page of the gallery. */
export type ImageConnection = GalleryPageFieldsFragment;

/** The next page of the gallery (client side). */
export const GALLERY_QUERY = graphql(`
  query Gallery($first: Int, $after: String, $filter: ImageFilter, $sort: ImageSort) {
    images(first: $first, after: $after, filter: $filter, sort: $sort) {
      ...GalleryPageFields
    }
  }
`);

/** The first page plus the model list for the filters (server side). */
export const GALLERY_PAGE_QUERY = graphql(`
  query GalleryPage($first: Int, $after: String, $filter: ImageFilter, $sort: ImageSort) {
    models {
      ...ModelRefFields
    }
    images(first: $first, after: $after, filter: $filter, sort: $sort) {
      ...GalleryPageFields
    }
  }
`);

export interface GalleryParams {
  q: string;
  model: string;
  split: Split | '';
  refs: '' | 'yes' | 'no';
  minRating: string;
  minBleu: string;
  maxBleu: string;
  sort: ImageSort;
}

export const EMPTY_GALLERY_PARAMS: GalleryParams = {
  q: '',
  model: '',
  split: '',
  refs: '',
  minRating: '',
  minBleu: '',
  maxBleu: '',
  sort: 'NEWEST',
};

const SPLITS: readonly string[] = ['TRAIN', 'VAL', 'TEST'];
const SORTS: readonly string[] = ['NEWEST', 'BLEU', 'RATING'];

type RawParams = Record<string, string | string[] | undefined>;

function first(value: string | string[] | undefined): string {
  return (Array.isArray(value) ? value[0] : value)?.trim() ?? '';
}

function numberOrEmpty(value: string, min: number, max: number): string {
  if (value === '') return '';
  const n = Number(value);
  return Number.isFinite(n) && n >= min && n <= max ? String(n) : '';
}

/** Reads the gallery state from URL search params, dropping anything invalid rather than failing the page. */
export function parseGalleryParams(raw: RawParams): GalleryParams {
  const split = first(raw.split).toUpperCase();
  const sort = first(raw.sort).toUpperCase();
  const refs = first(raw.refs);
  return {
    q: first(raw.q).slice(0, 200),
    model: first(raw.model),
    split: SPLITS.includes(split) ? (split as Split) : '',
    refs: refs === 'yes' || refs === 'no' ? refs : '',
    minRating: numberOrEmpty(first(raw.minRating), RATING_FILTER.min, RATING_FILTER.max),
    minBleu: numberOrEmpty(first(raw.minBleu), BLEU_FILTER.min, BLEU_FILTER.max),
    maxBleu: numberOrEmpty(first(raw.maxBleu), BLEU_FILTER.min, BLEU_FILTER.max),
    sort: SORTS.includes(sort) ? (sort as ImageSort) : 'NEWEST',
  };
}

/** The URL query string for a gallery state (defaults left out, so URLs stay short and shareable). */
export function galleryParamsToSearch(params: GalleryParams): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== '' && value !== EMPTY_GALLERY_PARAMS[key as keyof GalleryParams]) search.set(key, value);
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

export function galleryVariables(params: GalleryParams, after: string | null = null): GalleryQueryVariables {
  const filter: ImageFilter = {};
  if (params.q) filter.search = params.q;
  if (params.model) filter.modelId = params.model;
  if (params.split) filter.split = params.split;
  if (params.refs) filter.hasReferences = params.refs === 'yes';
  if (params.minRating) filter.minRating = Number(params.minRating);
  if (params.minBleu) filter.minBleu = Number(params.minBleu);
  if (params.maxBleu) filter.maxBleu = Number(params.maxBleu);
  return { first: GALLERY_PAGE_SIZE, after, filter, sort: params.sort };
}
