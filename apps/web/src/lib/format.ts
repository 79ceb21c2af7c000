// Small display helpers shared across pages.
import type { ModelVariant, Split } from './fragments';

export function modelLabel(variant: ModelVariant): string {
  return variant === 'ATTENTION' ? 'Attention' : 'LSTM';
}

export function modelLongName(variant: ModelVariant): string {
  return variant === 'ATTENTION' ? 'Show, Attend and Tell' : 'Show and Tell';
}

export function splitLabel(split: Split | null): string {
  if (split === null) return 'Upload';
  return { TRAIN: 'Train', VAL: 'Validation', TEST: 'Test' }[split];
}

/** A caption metric (BLEU, ROUGE-L, CIDEr-D) x100, as papers print it, e.g. 0.4123 -> "41.2". */
export function formatMetric(value: number | null | undefined): string {
  return value === null || value === undefined ? '—' : (value * 100).toFixed(1);
}

/** BLEU on the 0..100 scale people quote. */
export const formatBleu = formatMetric;

export function formatStars(value: number | null | undefined): string {
  return value === null || value === undefined ? '—' : value.toFixed(2);
}

export function formatCount(value: number): string {
  if (value >= 1e6) return `${(value / 1e6).toFixed(value >= 1e7 ? 0 : 1)}M`;
  if (value >= 1e3) return `${(value / 1e3).toFixed(value >= 1e4 ? 0 : 1)}k`;
  return String(value);
}

/** Captions ordered the same way everywhere: the LSTM first, then attention, so columns line up. */
export function byVariant<T extends { model: { variant: ModelVariant; id: string } }>(captions: T[]): T[] {
  const order = (v: ModelVariant) => (v === 'LSTM' ? 0 : 1);
  return [...captions].sort(
    (a, b) => order(a.model.variant) - order(b.model.variant) || a.model.id.localeCompare(b.model.id),
  );
}
