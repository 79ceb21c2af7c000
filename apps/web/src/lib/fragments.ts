// GraphQL selections shared by several pages and components, and the TypeScript shapes of what they select:
// generated from these fragments against the API's schema (npm run codegen; src/generated), never written by hand.
import { graphql } from '@/generated';
import type {
  CaptionDetailFieldsFragment,
  CaptionSummaryFieldsFragment,
  ComparisonFieldsFragment,
  CorrelationFieldsFragment,
  DatasetFieldsFragment,
  EvaluationRunFieldsFragment,
  GalleryImageFieldsFragment,
  LeaderboardEntryFieldsFragment,
  LeaderboardFieldsFragment,
  MetricHumanAgreementFieldsFragment,
  ModelChoiceFieldsFragment,
  ModelInfoFieldsFragment,
  ModelRefFieldsFragment,
} from '@/generated/graphql';

export type { ImageSort, ModelVariant, PreferenceWinner, Split } from '@/generated/graphql';

graphql(`
  fragment ModelRefFields on Model {
    id
    variant
  }
`);
export type ModelRef = ModelRefFieldsFragment;

graphql(`
  fragment ModelChoiceFields on Model {
    ...ModelRefFields
    loaded
    maxLength
  }
`);
/** A model as the forms that caption with a chosen model list it. */
export type ModelChoice = ModelChoiceFieldsFragment;

graphql(`
  fragment CaptionSummaryFields on Caption {
    id
    text
    sentenceBleu
    model {
      ...ModelRefFields
    }
  }
`);
export type CaptionSummary = CaptionSummaryFieldsFragment;

graphql(`
  fragment GalleryImageFields on Image {
    id
    filename
    width
    height
    thumbnailUrl
    split
    meanRating
    bestBleu
    captioningPending
    captions {
      ...CaptionSummaryFields
    }
  }
`);
export type GalleryImage = GalleryImageFieldsFragment;

graphql(`
  fragment CaptionDetailFields on Caption {
    ...CaptionSummaryFields
    tokens
    sentenceRougeL
    sentenceCiderD
    logProb
    latencyMs
    nBest {
      text
      logProb
      score
    }
    attention {
      rows
      cols
      steps {
        word
        weights
      }
    }
    decode {
      beamSize
      maxLength
    }
    ratings {
      count
      mean
      histogram
    }
    myRating
  }
`);
export type CaptionDetail = CaptionDetailFieldsFragment;
export type Hypothesis = CaptionDetail['nBest'][number];
export type Attention = NonNullable<CaptionDetail['attention']>;
export type RatingSummary = CaptionDetail['ratings'];

graphql(`
  fragment EvaluationRunFields on EvaluationRun {
    id
    split
    dataset
    status
    progress
    processed
    total
    reusedCaptions
    bleu
    cider
    rougeL
    error
    createdAt
    finishedAt
    model {
      ...ModelRefFields
    }
    decode {
      beamSize
      maxLength
    }
  }
`);
export type EvaluationRun = EvaluationRunFieldsFragment;

graphql(`
  fragment DatasetFields on Dataset {
    name
    splits {
      split
      images
      withReferences
    }
  }
`);
export type Dataset = DatasetFieldsFragment;

graphql(`
  fragment ModelInfoFields on Model {
    id
    variant
    dataset
    loaded
    loadError
    params {
      trainable
      frozen
      total
    }
    trainingMetrics {
      split
      loss
      bleu
      cider
      rougeL
    }
  }
`);
export type ModelInfo = ModelInfoFieldsFragment;

graphql(`
  fragment CorrelationFields on Correlation {
    rho
    n
  }
`);
/** Spearman's rho of a metric against mean ratings, over n rated captions. */
export type Correlation = CorrelationFieldsFragment;

graphql(`
  fragment LeaderboardEntryFields on LeaderboardEntry {
    rank
    model {
      ...ModelInfoFields
    }
    rating {
      count
      mean
      low
      high
    }
    preference {
      strength
      low
      high
      wins
      losses
      ties
      comparisons
    }
    bleu {
      split
      bleu
      cider
      rougeL
      run {
        id
        decode {
          beamSize
        }
      }
    }
    bleuRatingCorrelation {
      ...CorrelationFields
    }
    rougeLRatingCorrelation {
      ...CorrelationFields
    }
    ciderRatingCorrelation {
      ...CorrelationFields
    }
    bleuRatingPoints {
      captionId
      sentenceBleu
      meanRating
      ratingCount
    }
  }
`);
export type LeaderboardEntry = LeaderboardEntryFieldsFragment;

graphql(`
  fragment LeaderboardFields on Leaderboard {
    preferenceCount
    ratingCount
    bleuRatingCorrelation {
      ...CorrelationFields
    }
    rougeLRatingCorrelation {
      ...CorrelationFields
    }
    ciderRatingCorrelation {
      ...CorrelationFields
    }
    entries {
      ...LeaderboardEntryFields
    }
  }
`);
export type Leaderboard = LeaderboardFieldsFragment;

graphql(`
  fragment MetricHumanAgreementFields on MetricHumanAgreement {
    publishedSource
    judgementSets {
      name
      file
      tau
      judgements
      images
      protocol
      metrics {
        metric
        kendall
        published
      }
    }
  }
`);
export type MetricHumanAgreement = MetricHumanAgreementFieldsFragment;

graphql(`
  fragment ComparisonFields on Comparison {
    image {
      id
      width
      height
      originalUrl
      references
    }
    captionA {
      ...CaptionSummaryFields
    }
    captionB {
      ...CaptionSummaryFields
    }
  }
`);
export type Comparison = ComparisonFieldsFragment;
