// All resolvers, one file per GraphQL type (small related types share their parent's file).
import { Caption } from './caption.js';
import { enumResolvers } from './enums.js';
import { EvaluationRun } from './evaluation-run.js';
import { CaptionDisagreement } from './evaluation-run-comparison.js';
import { Image } from './image.js';
import { Leaderboard } from './leaderboard.js';
import { LeaderboardEntry, LeaderboardMetricCorrelations, SplitBleu } from './leaderboard-metrics.js';
import { Model } from './model.js';
import { Mutation, Preference, Rating } from './mutation.js';
import { ImageConnection, Query, ServiceStatus } from './query.js';
import { DateTime } from './scalars.js';

export const resolvers = {
  DateTime,
  ...enumResolvers,
  Query,
  Mutation,
  ImageConnection,
  ServiceStatus,
  Image,
  Caption,
  Model,
  Leaderboard: { ...Leaderboard, ...LeaderboardMetricCorrelations },
  LeaderboardEntry,
  SplitBleu,
  EvaluationRun,
  CaptionDisagreement,
  Rating,
  Preference,
};
