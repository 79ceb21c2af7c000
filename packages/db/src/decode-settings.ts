// The one place decode settings become the key that makes a caption unique per image + model.
import { InvalidInputError } from './errors.js';
import type { DecodeSettings } from './types.js';

/** `{ maxLength: 20, beamSize: 3 }` -> `"beamSize=3;maxLength=20"` (keys sorted, so order never matters). */
export function decodeSettingsKey(settings: DecodeSettings): string {
  const keys = Object.keys(settings).sort();
  if (keys.length === 0) throw new InvalidInputError('Decode settings must name at least one setting.');
  return keys
    .map((key) => {
      const value = settings[key];
      if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(key)) throw new InvalidInputError(`Invalid decode setting name "${key}".`);
      if (typeof value === 'number' && !Number.isFinite(value)) {
        throw new InvalidInputError(`Decode setting ${key} must be a finite number.`);
      }
      if (!['number', 'string', 'boolean'].includes(typeof value)) {
        throw new InvalidInputError(`Decode setting ${key} must be a number, string or boolean.`);
      }
      return `${key}=${String(value)}`;
    })
    .join(';');
}
