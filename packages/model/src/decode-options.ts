// Decode settings a caller may choose, checked against the limits in decode-limits.ts.
import {
  BEAM_SIZE,
  DEFAULT_BEAM_SIZE,
  isWholeNumberIn,
  LENGTH_PENALTY,
  MAX_LENGTH,
  type DecodeSettings,
} from './decode-limits.js';
import { CaptionerError } from './errors.js';
import type { ImageLimits } from './image.js';

export type { DecodeSettings } from './decode-limits.js';

export interface DecodeOptions {
  /** 1..10, default 3. 1 decodes greedily. */
  beamSize?: number;
  /** Longest caption in words (start/end not counted), 1..50; default the manifest's maxLength. */
  maxLength?: number;
  /** How many hypotheses to return, 1..beamSize; default 1. */
  nBest?: number;
  /** Rank by logprob / length^lengthPenalty (length counts the end token); 0 ranks by raw logprob. Default 1. */
  lengthPenalty?: number;
  /** Force the plain greedy loop or the beam search; default greedy exactly when beamSize is 1. */
  strategy?: 'greedy' | 'beam';
  imageLimits?: Partial<ImageLimits>;
}

export function resolveDecodeOptions(options: DecodeOptions, manifestMaxLength: number): DecodeSettings {
  const beamSize = options.beamSize ?? DEFAULT_BEAM_SIZE;
  const maxLength = options.maxLength ?? manifestMaxLength;
  const nBest = options.nBest ?? 1;
  const lengthPenalty = options.lengthPenalty ?? 1;
  const strategy = options.strategy ?? (beamSize === 1 ? 'greedy' : 'beam');
  const problems: string[] = [];
  if (!isWholeNumberIn(beamSize, BEAM_SIZE)) {
    problems.push(`beamSize must be an integer from ${BEAM_SIZE.min} to ${BEAM_SIZE.max}, got ${beamSize}`);
  }
  if (!isWholeNumberIn(maxLength, MAX_LENGTH)) {
    problems.push(`maxLength must be an integer from ${MAX_LENGTH.min} to ${MAX_LENGTH.max}, got ${maxLength}`);
  }
  if (!Number.isInteger(nBest) || nBest < 1 || nBest > beamSize) {
    problems.push(`nBest must be an integer from 1 to beamSize (${beamSize}), got ${nBest}`);
  }
  if (
    typeof lengthPenalty !== 'number' ||
    !Number.isFinite(lengthPenalty) ||
    lengthPenalty < LENGTH_PENALTY.min ||
    lengthPenalty > LENGTH_PENALTY.max
  ) {
    problems.push(
      `lengthPenalty must be a number from ${LENGTH_PENALTY.min} to ${LENGTH_PENALTY.max}, got ${lengthPenalty}`,
    );
  }
  if (strategy !== 'greedy' && strategy !== 'beam')
    problems.push(`strategy must be "greedy" or "beam", got ${String(strategy)}`);
  if (strategy === 'greedy' && beamSize !== 1) problems.push(`the greedy strategy needs beamSize 1, got ${beamSize}`);
  if (problems.length > 0) {
    throw new CaptionerError('INVALID_DECODE_OPTIONS', `Invalid decode settings: ${problems.join('; ')}.`, {
      details: { problems },
    });
  }
  return { beamSize, maxLength, nBest, lengthPenalty, strategy };
}
