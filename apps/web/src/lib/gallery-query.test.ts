// The gallery's filters <-> URL: what a shared link restores, what invalid input becomes, and the query the
// page sends for them.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { BLEU_FILTER, PAGE_SIZE, RATING_FILTER } from '@captioner/db/limits';
import {
  EMPTY_GALLERY_PARAMS,
  galleryParamsToSearch,
  galleryVariables,
  parseGalleryParams,
  type GalleryParams,
} from './gallery-query';

const params = (change: Partial<GalleryParams>): GalleryParams => ({ ...EMPTY_GALLERY_PARAMS, ...change });

test('the default state has an empty query string, so the plain gallery URL stays plain', () => {
  assert.equal(galleryParamsToSearch(EMPTY_GALLERY_PARAMS), '');
  assert.equal(galleryParamsToSearch(params({ sort: 'NEWEST' })), '');
});

test('filters written to the URL read back as the same state', () => {
  const state = params({
    q: 'dog on grass',
    model: 'flickr8k-attention',
    split: 'TEST',
    refs: 'yes',
    minRating: '4.5',
    minBleu: '0.2',
    maxBleu: '0.8',
    sort: 'BLEU',
  });
  const search = galleryParamsToSearch(state);
  assert.equal(
    search,
    '?q=dog+on+grass&model=flickr8k-attention&split=TEST&refs=yes&minRating=4.5&minBleu=0.2&maxBleu=0.8&sort=BLEU',
  );
  assert.deepEqual(parseGalleryParams(Object.fromEntries(new URLSearchParams(search))), state);
});

test('invalid or out-of-range URL values are dropped instead of failing the page', () => {
  const parsed = parseGalleryParams({
    split: 'nonsense',
    sort: 'random',
    refs: 'maybe',
    minRating: String(RATING_FILTER.min - 1),
    minBleu: 'abc',
    maxBleu: String(BLEU_FILTER.max + 0.5),
  });
  assert.deepEqual(parsed, EMPTY_GALLERY_PARAMS);
});

test('the minimum rating accepts exactly the range the API does (1..5 stars)', () => {
  assert.deepEqual([RATING_FILTER.min, RATING_FILTER.max], [1, 5]);
  for (const [raw, kept] of [
    ['0', ''],
    ['1', '1'],
    ['4.5', '4.5'],
    ['5', '5'],
    ['5.5', ''],
  ] as const) {
    assert.equal(parseGalleryParams({ minRating: raw }).minRating, kept, raw);
  }
});

test('URL values are trimmed, case-folded where they are enums, the first of repeated keys wins, and q is capped', () => {
  const parsed = parseGalleryParams({ split: ' val ', sort: 'rating', model: ['a', 'b'], q: 'x'.repeat(500) });
  assert.equal(parsed.split, 'VAL');
  assert.equal(parsed.sort, 'RATING');
  assert.equal(parsed.model, 'a');
  assert.equal(parsed.q.length, 200);
});

test('the images query gets one page, the filter only for what is set, and the cursor', () => {
  assert.deepEqual(galleryVariables(EMPTY_GALLERY_PARAMS), {
    first: PAGE_SIZE.default,
    after: null,
    filter: {},
    sort: 'NEWEST',
  });
  const state = params({
    q: 'cat',
    model: 'm',
    split: 'VAL',
    refs: 'no',
    minRating: '3',
    minBleu: '0.1',
    maxBleu: '1',
  });
  assert.deepEqual(galleryVariables(state, 'cursor-1'), {
    first: PAGE_SIZE.default,
    after: 'cursor-1',
    filter: {
      search: 'cat',
      modelId: 'm',
      split: 'VAL',
      hasReferences: false,
      minRating: 3,
      minBleu: 0.1,
      maxBleu: 1,
    },
    sort: 'NEWEST',
  });
});
