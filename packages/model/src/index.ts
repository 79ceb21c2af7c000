// Public surface of @captioner/model (documented in README.md).
export { CaptionerError, isCaptionerError, type CaptionerErrorCode } from './errors.js';
export { loadModel, listModels, defaultModelsDir, type LoadOptions } from './load-model.js';
export { CaptionModel, type CaptionResult, type Hypothesis } from './model.js';
export { captionWithModels, captionTogether, type CaptionRequest } from './caption-together.js';
export type { EncoderInfo } from './shared-encoder.js';
export { fixtureModelsDir, fixtureModelDir, FIXTURE_MODELS, type FixtureModelId } from './fixtures.js';
export { type DecodeOptions, MAX_BEAM_SIZE, MAX_DECODE_LENGTH, DEFAULT_BEAM_SIZE } from './decode-options.js';
export {
  executionOptionsFromEnv,
  type ExecutionOptions,
  type ExecutionProviderName,
  type Logger,
} from './execution.js';
export type { Manifest, ManifestFormat, SplitMetrics, Variant } from './manifest.js';
export {
  readImage,
  makeThumbnail,
  preprocessImage,
  DEFAULT_IMAGE_LIMITS,
  SUPPORTED_IMAGE_MIME_TYPES,
  type ImageFormat,
  type ImageInfo,
  type ImageLimits,
  type ImageSpec,
  type Thumbnail,
} from './image.js';
export { tokenize, corpusBleu, sentenceBleu } from './bleu.js';
export { ciderD, ciderDocumentFrequencies, sentenceCiderD, CIDER_SIGMA, type DocumentFrequencies } from './cider.js';
export { rougeL, sentenceRougeL, ROUGE_BETA } from './rouge.js';
export type { CorpusScores } from './corpus-scores.js';
