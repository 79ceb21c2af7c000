'use client';
// Search, filters and sort for the gallery. Every change goes into the URL (so a view can be shared and the
// back button works); the server page re-renders from the URL. Without JavaScript it is a plain GET form.
import { useRouter } from 'next/navigation';
import { useEffect, useRef, useState, useTransition } from 'react';
import { EMPTY_GALLERY_PARAMS, galleryParamsToSearch, type GalleryParams } from '@/lib/gallery-query';
import { modelLabel } from '@/lib/format';
import { FilterSelect } from './filter-select';
import type { ModelRef } from '@/lib/fragments';

interface Props {
  params: GalleryParams;
  models: ModelRef[];
}

const SEARCH_DELAY_MS = 300;
/** Choices for both ends of the BLEU range (fractions; shown x100). */
const BLEU_OPTIONS = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8].map((v) => [String(v), String(Math.round(v * 100))] as const);
const SPLIT_OPTIONS = [
  ['', 'All'],
  ['TRAIN', 'Train'],
  ['VAL', 'Validation'],
  ['TEST', 'Test'],
] as const satisfies readonly (readonly [GalleryParams['split'], string])[];
const REFERENCE_OPTIONS = [
  ['', 'Any'],
  ['yes', 'With references'],
  ['no', 'Without'],
] as const satisfies readonly (readonly [GalleryParams['refs'], string])[];
const RATING_OPTIONS = [
  ['', 'Any'],
  ['2', '★ 2 and up'],
  ['3', '★ 3 and up'],
  ['4', '★ 4 and up'],
  ['4.5', '★ 4.5 and up'],
] as const;
const SORT_OPTIONS = [
  ['NEWEST', 'Newest'],
  ['BLEU', 'Best BLEU'],
  ['RATING', 'Best rated'],
] as const satisfies readonly (readonly [GalleryParams['sort'], string])[];

export function GalleryFilters({ params, models }: Props) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [query, setQuery] = useState(params.q);
  // Phones show the filters behind a toggle so the photos come first; wider screens always show them.
  const [showFilters, setShowFilters] = useState(false);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);

  // Keep the box in step when the URL changes from elsewhere (back button, "clear").
  useEffect(() => setQuery(params.q), [params.q]);

  function navigate(next: GalleryParams) {
    startTransition(() => router.replace(`/${galleryParamsToSearch(next)}`, { scroll: false }));
  }

  function update<K extends keyof GalleryParams>(key: K, value: GalleryParams[K]) {
    navigate({ ...params, q: query, [key]: value });
  }

  function onSearch(value: string) {
    setQuery(value);
    if (timer.current) clearTimeout(timer.current);
    timer.current = setTimeout(() => navigate({ ...params, q: value.trim() }), SEARCH_DELAY_MS);
  }

  const active = galleryParamsToSearch({ ...params, sort: 'NEWEST' }) !== '';
  const activeCount = (['model', 'split', 'refs', 'minRating', 'minBleu', 'maxBleu'] as const).filter(
    (key) => params[key] !== '',
  ).length;

  return (
    <form
      className="filters"
      role="search"
      action="/"
      method="get"
      aria-busy={pending}
      onSubmit={(event) => {
        event.preventDefault();
        if (timer.current) clearTimeout(timer.current);
        navigate({ ...params, q: query.trim() });
      }}
    >
      <div className="search-row">
        <label className="search-field">
          <span className="visually-hidden">Search captions and references</span>
          <input
            type="search"
            name="q"
            placeholder="Search captions"
            value={query}
            onChange={(event) => onSearch(event.target.value)}
            autoComplete="off"
          />
        </label>
        <button
          type="button"
          className="button button-quiet filters-toggle"
          aria-expanded={showFilters}
          aria-controls="gallery-filter-row"
          onClick={() => setShowFilters(!showFilters)}
        >
          Filters{activeCount > 0 ? ` (${activeCount})` : ''}
        </button>
      </div>
      <div className="filter-row" id="gallery-filter-row" data-open={showFilters}>
        <FilterSelect
          label="Model"
          name="model"
          value={params.model}
          options={[['', 'Any model'], ...models.map((m) => [m.id, `${modelLabel(m.variant)} (${m.id})`] as const)]}
          onChange={(v) => update('model', v)}
        />
        <FilterSelect
          label="Split"
          name="split"
          value={params.split}
          options={SPLIT_OPTIONS}
          onChange={(v) => update('split', v)}
        />
        <FilterSelect
          label="References"
          name="refs"
          value={params.refs}
          options={REFERENCE_OPTIONS}
          onChange={(v) => update('refs', v)}
        />
        <FilterSelect
          label="Rating"
          name="minRating"
          value={params.minRating}
          options={RATING_OPTIONS}
          onChange={(v) => update('minRating', v)}
        />
        <FilterSelect
          label="BLEU from"
          name="minBleu"
          value={params.minBleu}
          options={[['', '0'], ...BLEU_OPTIONS]}
          onChange={(v) => update('minBleu', v)}
          narrow
        />
        <FilterSelect
          label="to"
          name="maxBleu"
          value={params.maxBleu}
          options={[['', '100'], ...BLEU_OPTIONS]}
          onChange={(v) => update('maxBleu', v)}
          narrow
        />
        <FilterSelect
          label="Sort"
          name="sort"
          value={params.sort}
          options={SORT_OPTIONS}
          onChange={(v) => update('sort', v)}
        />
        {active && (
          <button
            type="button"
            className="button button-quiet"
            onClick={() => {
              setQuery('');
              navigate(EMPTY_GALLERY_PARAMS);
            }}
          >
            Clear
          </button>
        )}
        <button type="submit" className="visually-hidden">
          Apply filters
        </button>
      </div>
    </form>
  );
}
