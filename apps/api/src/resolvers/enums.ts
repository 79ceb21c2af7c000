// GraphQL enum values mapped to the lowercase values the database and services use, so resolvers never convert.
export const enumResolvers = {
  Split: { TRAIN: 'train', VAL: 'val', TEST: 'test' },
  ImageSource: { UPLOAD: 'upload', DATASET: 'dataset' },
  ImageSort: { NEWEST: 'newest', BLEU: 'bleu', RATING: 'rating' },
  ModelVariant: { LSTM: 'lstm', ATTENTION: 'attention' },
  EvaluationStatus: { QUEUED: 'queued', RUNNING: 'running', SUCCEEDED: 'succeeded', FAILED: 'failed' },
  DatasetFormat: { AUTO: 'auto', FLICKR8K: 'flickr8k', KARPATHY: 'karpathy', KAGGLE: 'kaggle' },
  ImportStatus: { RUNNING: 'running', SUCCEEDED: 'succeeded', FAILED: 'failed' },
};
