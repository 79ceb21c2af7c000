'use client';
// Search, filters and sort for the gallery. Every change goes into the URL (so a view can be shared and the
// back button works); the server page re-renders from the URL. Without JavaScript it is a plain GET form.
import { useRouter } from 'next/navigation';
import { useEffect, useRef, useState, useTransition } from 'react';
import { EMPTY_GALLERY_PARAMS, galleryParamsToSearch, type GalleryParams } from '@/lib/gallery-query';
import { modelLabel } from '@/lib/format';
import type { ModelRef } from '@/lib/fragments';

interface Props {
  params: GalleryParams;
  models: ModelRef[];
}

const SEARCH_DELAY_MS = 300;
/** Choices for both ends of the BLEU range (fractions; shown x100). */
const BLEU_STEPS = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8];

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
        <label className="filter">
          <span>Model</span>
          <select name="model" value={params.model} onChange={(e) => update('model', e.target.value)}>
            <option value="">Any model</option>
            {models.map((model) => (
              <option key={model.id} value={model.id}>
                {modelLabel(model.variant)} ({model.id})
              </option>
            ))}
          </select>
        </label>
        <label className="filter">
          <span>Split</span>
          <select
            name="split"
            value={params.split}
            onChange={(e) => update('split', e.target.value as GalleryParams['split'])}
          >
            <option value="">All</option>
            <option value="TRAIN">Train</option>
            <option value="VAL">Validation</option>
            <option value="TEST">Test</option>
          </select>
        </label>
        <label className="filter">
          <span>References</span>
          <select
            name="refs"
            value={params.refs}
            onChange={(e) => update('refs', e.target.value as GalleryParams['refs'])}
          >
            <option value="">Any</option>
            <option value="yes">With references</option>
            <option value="no">Without</option>
          </select>
        </label>
        <label className="filter">
          <span>Rating</span>
          <select name="minRating" value={params.minRating} onChange={(e) => update('minRating', e.target.value)}>
            <option value="">Any</option>
            <option value="2">★ 2 and up</option>
            <option value="3">★ 3 and up</option>
            <option value="4">★ 4 and up</option>
            <option value="4.5">★ 4.5 and up</option>
          </select>
        </label>
        <label className="filter filter-narrow">
          <span>BLEU from</span>
          <select name="minBleu" value={params.minBleu} onChange={(e) => update('minBleu', e.target.value)}>
            <option value="">0</option>
            {BLEU_STEPS.map((v) => (
              <option key={v} value={String(v)}>
                {v * 100}
              </option>
            ))}
          </select>
        </label>
        <label className="filter filter-narrow">
          <span>to</span>
          <select name="maxBleu" value={params.maxBleu} onChange={(e) => update('maxBleu', e.target.value)}>
            <option value="">100</option>
            {BLEU_STEPS.map((v) => (
              <option key={v} value={String(v)}>
                {v * 100}
              </option>
            ))}
          </select>
        </label>
        <label className="filter">
          <span>Sort</span>
          <select
            name="sort"
            value={params.sort}
            onChange={(e) => update('sort', e.target.value as GalleryParams['sort'])}
          >
            <option value="NEWEST">Newest</option>
            <option value="BLEU">Best BLEU</option>
            <option value="RATING">Best rated</option>
          </select>
        </label>
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
