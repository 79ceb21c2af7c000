// All resolvers, one file per GraphQL type (small related types share their parent's file), typed by the code
// generated from schema.graphql (npm run codegen); enum values come from there too.
import { enumResolvers, type Resolvers } from '../generated/graphql.js';
import { objectResolvers } from '../graphql/object-resolvers.js';
import { Caption } from './caption.js';
import { EvaluationRun } from './evaluation-run.js';
import { CaptionDisagreement } from './evaluation-run-comparison.js';
import { Image } from './image.js';
import { ImportJob } from './import-job.js';
import { Leaderboard } from './leaderboard.js';
import { LeaderboardEntry, LeaderboardMetricCorrelations, SplitBleu } from './leaderboard-metrics.js';
import { Model } from './model.js';
import { Mutation, Preference, Rating } from './mutation.js';
import { ImageConnection, Query, ServiceStatus } from './query.js';
import { DateTime } from './scalars.js';
import { Subscription } from './subscription.js';

export const resolvers = {
  DateTime,
  ...enumResolvers,
  Query,
  Mutation,
  Subscription,
  ImageConnection,
  ServiceStatus,
  Image,
  Caption,
  Model,
  Leaderboard: objectResolvers('Leaderboard')({ ...Leaderboard, ...LeaderboardMetricCorrelations }),
  LeaderboardEntry: objectResolvers('LeaderboardEntry')(LeaderboardEntry),
  SplitBleu: objectResolvers('SplitBleu')(SplitBleu),
  EvaluationRun,
  CaptionDisagreement,
  ImportJob,
  Rating,
  Preference,
} satisfies Resolvers;
