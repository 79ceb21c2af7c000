// What the resolvers of each mapped GraphQL object type receive as their parent (codegen.ts `mappers`): mostly the
// data layer's records, which field resolvers turn into the GraphQL shape. Fields a resolver does not define are
// read from the parent, and `resolvers/complete.ts` checks at compile time that the parent has them.
import type {
  CaptionDisagreement,
  CaptionRecord,
  CaptionSummary,
  EvaluationRunRecord,
  GalleryImage,
  ImageFilter,
  ImageRecord,
  ModelRecord,
  PreferenceRecord,
  RatingRecord,
} from '@captioner/db';
import type { ImportJob } from '../datasets/import-jobs.js';
import type { LeaderboardEntryRecord } from '../resolvers/leaderboard.js';

export type ImageParent = ImageRecord;
/** A full caption, or a summary from a gallery list whose large columns are loaded only when selected. */
export type CaptionParent = CaptionRecord | CaptionSummary;
export type ModelParent = ModelRecord;
export type EvaluationRunParent = EvaluationRunRecord;
export type RatingParent = RatingRecord;
export type PreferenceParent = PreferenceRecord;
export type CaptionDisagreementParent = CaptionDisagreement;
export type ImportJobParent = ImportJob;

export interface ImageConnectionParent {
  edges: { cursor: string; node: GalleryImage }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  /** The validated filter, for totalCount. */
  filter: ImageFilter;
}

/** The leaderboard and service status are computed by their field resolvers from the request context. */
export type LeaderboardParent = Record<never, never>;
export type ServiceStatusParent = Record<never, never>;
export type LeaderboardEntryParent = LeaderboardEntryRecord;
export type SplitBleuParent = LeaderboardEntryRecord['bleu'][number];
