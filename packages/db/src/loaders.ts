// Per-request DataLoaders: each batches the lookups of one GraphQL request into one SQL query, so a
// gallery page costs a fixed number of queries whatever its size (no N+1).
import DataLoader from 'dataloader';
import { isUuid, type DbContext } from './context.js';
import type { CaptionsRepository } from './repositories/captions.js';
import type { ImagesRepository } from './repositories/images.js';
import type { ModelsRepository } from './repositories/models.js';
import { emptySummary, type RatingsRepository } from './repositories/ratings.js';
import type { ReferencesRepository } from './repositories/references.js';
import { imageStats } from './sql/batch-loads.js';
import type {
  CaptionDetails,
  CaptionRecord,
  CaptionSummary,
  ImageRecord,
  ImageStats,
  ModelRecord,
  RatingSummary,
  ReferenceRecord,
} from './types.js';

export interface Loaders {
  imageById: DataLoader<string, ImageRecord | null>;
  /** unscoped aggregates over all captions of the image */
  imageStatsById: DataLoader<string, ImageStats>;
  captionById: DataLoader<string, CaptionRecord | null>;
  /** newest first */
  captionsByImageId: DataLoader<string, CaptionRecord[]>;
  /** newest first, without nBest and attention (lists and galleries) */
  captionSummariesByImageId: DataLoader<string, CaptionSummary[]>;
  /** nBest and attention of a caption; null for an unknown id */
  captionDetailsById: DataLoader<string, CaptionDetails | null>;
  /** in dataset order */
  referencesByImageId: DataLoader<string, ReferenceRecord[]>;
  ratingSummaryByCaptionId: DataLoader<string, RatingSummary>;
  /** the request's voter's stars; null when unrated or there is no voter */
  myRatingByCaptionId: DataLoader<string, number | null>;
  modelById: DataLoader<string, ModelRecord | null>;
}

interface Repositories {
  images: ImagesRepository;
  captions: CaptionsRepository;
  references: ReferencesRepository;
  ratings: RatingsRepository;
  models: ModelsRepository;
}

function byKey<T, K>(keys: readonly K[], rows: T[], keyOf: (row: T) => K): (T | null)[] {
  const map = new Map(rows.map((row) => [keyOf(row), row]));
  return keys.map((key) => map.get(key) ?? null);
}

function groupedBy<T>(keys: readonly string[], rows: T[], keyOf: (row: T) => string): T[][] {
  const groups = new Map<string, T[]>();
  for (const row of rows) {
    const key = keyOf(row);
    const group = groups.get(key);
    if (group) group.push(row);
    else groups.set(key, [row]);
  }
  return keys.map((key) => groups.get(key) ?? []);
}

export function createLoaders(ctx: DbContext, repos: Repositories, options: { voterId?: string | null } = {}): Loaders {
  const voterId = options.voterId ?? null;
  return {
    imageById: new DataLoader(async (ids) => byKey(ids, await repos.images.getByIds(ids), (row) => row.id)),
    imageStatsById: new DataLoader(async (ids) => {
      // Kept up to date by triggers on ratings and captions.
      const rows = await imageStats(ctx, ids.filter(isUuid));
      const map = new Map(rows.map(({ id, ...stats }) => [id, stats]));
      return ids.map((id) => map.get(id) ?? { meanRating: null, ratingCount: 0, bestBleu: null });
    }),
    captionById: new DataLoader(async (ids) => byKey(ids, await repos.captions.getByIds(ids), (row) => row.id)),
    captionsByImageId: new DataLoader(async (ids) =>
      groupedBy(ids, await repos.captions.listByImages(ids), (row) => row.imageId),
    ),
    captionSummariesByImageId: new DataLoader(async (ids) =>
      groupedBy(ids, await repos.captions.listSummariesByImages(ids), (row) => row.imageId),
    ),
    captionDetailsById: new DataLoader(async (ids) =>
      byKey(ids, await repos.captions.getDetailsByIds(ids), (row) => row.id),
    ),
    referencesByImageId: new DataLoader(async (ids) =>
      groupedBy(ids, await repos.references.listByImages(ids), (row) => row.imageId),
    ),
    ratingSummaryByCaptionId: new DataLoader(async (ids) => {
      const summaries = await repos.ratings.summaries(ids);
      return ids.map((id) => summaries.get(id) ?? emptySummary());
    }),
    myRatingByCaptionId: new DataLoader(async (ids) => {
      if (voterId === null) return ids.map(() => null);
      const stars = await repos.ratings.starsByVoter(voterId, ids);
      return ids.map((id) => stars.get(id) ?? null);
    }),
    modelById: new DataLoader(async (ids) => byKey(ids, await repos.models.getByIds(ids), (row) => row.id)),
  };
}
