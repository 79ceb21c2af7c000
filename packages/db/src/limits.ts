// Domain limits owned by the data layer, defined once: the repositories enforce them, and apps/api and
// apps/web import them instead of repeating the numbers. The stars range is also a CHECK of migration
// 20261125190000_init (ratings_stars_check); schema-drift.test.ts checks the two agree.

/** A rating is a whole number of stars in this range. */
export const STARS = { min: 1, max: 5 } as const;

/** Bounds accepted by the gallery's minRating / maxRating filters (a mean of stars, so the same range). */
export const RATING_FILTER = { min: STARS.min, max: STARS.max } as const;

/** Bounds accepted by the gallery's minBleu / maxBleu filters (sentence BLEU lies in 0..1). */
export const BLEU_FILTER = { min: 0, max: 1 } as const;

/** Gallery page size: `first` is a whole number in min..max, `default` when not given. */
export const PAGE_SIZE = { min: 1, max: 100, default: 24 } as const;

/** An import job keeps the first this many per-file failures ("file: reason"); the count of all is `failed`. */
export const IMPORT_FAILURES_KEPT = 10;
