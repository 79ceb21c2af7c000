// Public surface of @captioner/model (documented in README.md).
export { CaptionerError, isCaptionerError, type CaptionerErrorCode } from './errors.js';
export { loadModel, listModels, type LoadOptions } from './load-model.js';
export { CaptionModel, type CaptionResult, type Hypothesis } from './model.js';
export { captionWithModels, captionTogether, type CaptionRequest } from './caption-together.js';
export type { EncoderInfo } from './shared-encoder.js';
export { fixtureModelsDir, fixtureModelDir, FIXTURE_MODELS, type FixtureModelId } from './fixtures.js';
export type { DecodeOptions } from './decode-options.js';
export * from './decode-limits.js';
export type { ExecutionOptions, ExecutionProviderName, Logger } from './execution.js';
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
export * from './metrics.js';
