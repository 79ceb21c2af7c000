// The decode settings the API accepts (CaptionImageInput, StartEvaluationRunInput in apps/api/src/schema.graphql),
// checked in the browser first so a person sees what to fix before anything is sent.
export interface Range {
  min: number;
  max: number;
}

export const BEAM_WIDTH: Range = { min: 1, max: 10 };
export const MAX_LENGTH: Range = { min: 1, max: 50 };

/** The field's value as a whole number within the range, or null. */
export function wholeNumberIn(value: string, { min, max }: Range): number | null {
  const n = Number(value);
  return value.trim() !== '' && Number.isInteger(n) && n >= min && n <= max ? n : null;
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
