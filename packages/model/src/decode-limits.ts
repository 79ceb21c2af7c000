// The decode settings and their limits, defined once: the runtime enforces them, the API validates
// requests against them and the gallery's forms check them before sending. Imports nothing, so it is
// also the `@captioner/model/decode-limits` subpath, which browsers and other packages can load
// without ONNX Runtime or sharp.

/** An inclusive range of whole numbers. */
export interface Range {
  min: number;
  max: number;
}

/** Beam width: 1 decodes greedily. */
export const BEAM_SIZE: Readonly<Range> = { min: 1, max: 10 };
/** Longest caption in words (start/end not counted). */
export const MAX_LENGTH: Readonly<Range> = { min: 1, max: 50 };
/** Rank by logprob / length^lengthPenalty; 0 ranks by raw logprob. */
export const LENGTH_PENALTY: Readonly<Range> = { min: 0, max: 5 };

export const DEFAULT_BEAM_SIZE = 3;

/** Complete decode settings, as a caption was (or will be) produced with them. */
export interface DecodeSettings {
  beamSize: number;
  maxLength: number;
  nBest: number;
  lengthPenalty: number;
  strategy: 'greedy' | 'beam';
}

/** The settings a stored caption is keyed by and the API exposes; the others keep their defaults. */
export type CaptionSettings = Pick<DecodeSettings, 'beamSize' | 'maxLength'>;

/** True when value is a whole number within the range. */
export function isWholeNumberIn(value: unknown, { min, max }: Readonly<Range>): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}
