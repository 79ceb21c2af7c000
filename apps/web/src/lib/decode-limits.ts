// The decode settings the API accepts, checked in the browser first so a person sees what to fix before
// anything is sent. The limits themselves are @captioner/model's (the same ones the API enforces).
import { BEAM_SIZE, isWholeNumberIn, MAX_LENGTH, type Range } from '@captioner/model/decode-limits';

export { MAX_LENGTH, type Range };
/** The beam size, called beam width on the forms. */
export const BEAM_WIDTH = BEAM_SIZE;

/** The field's value as a whole number within the range, or null. */
export function wholeNumberIn(value: string, range: Readonly<Range>): number | null {
  const n = Number(value);
  return value.trim() !== '' && isWholeNumberIn(n, range) ? n : null;
}

/** The default max length for a model: its own, within what the API accepts. */
export function defaultMaxLength(modelMaxLength: number | undefined): number {
  return Math.min(modelMaxLength ?? 20, MAX_LENGTH.max);
}

/** Both settings checked, or the message that says what to fix. */
export function checkDecodeSettings(
  beamWidth: string,
  maxLength: string,
): { beamSize: number; maxLength: number } | { error: string } {
  const beam = wholeNumberIn(beamWidth, BEAM_WIDTH);
  if (beam === null) return { error: `Beam width must be a whole number from ${BEAM_WIDTH.min} to ${BEAM_WIDTH.max}.` };
  const length = wholeNumberIn(maxLength, MAX_LENGTH);
  if (length === null) {
    return { error: `Max length must be a whole number of words from ${MAX_LENGTH.min} to ${MAX_LENGTH.max}.` };
  }
  return { beamSize: beam, maxLength: length };
}
