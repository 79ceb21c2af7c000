'use client';
// Caption this image again with a chosen model and decode settings (beam width, max length), and show the new
// caption with beam search's n-best list and scores. Settings already tried come back from the store (`cached`).
import { useId, useState } from 'react';
import { clientQuery } from '@/lib/client-graphql';
import { CAPTION_DETAIL_FIELDS } from '@/lib/fragments';
import { formatBleu } from '@/lib/format';
import type { CaptionDetail, ModelVariant } from '@/lib/types';
import { ModelBadge } from './model-badge';
import { NBestList } from './n-best-list';

const CAPTION_IMAGE = /* GraphQL */ `
  mutation Recaption($input: CaptionImageInput!) {
    captionImage(input: $input) {
      cached
      caption {
        ...CaptionDetailFields
      }
    }
  }
  ${CAPTION_DETAIL_FIELDS}
`;

/** The limits `CaptionImageInput` accepts (apps/api/src/schema.graphql). */
const BEAM = { min: 1, max: 10 };
const MAX_LENGTH = { min: 1, max: 50 };

export interface RecaptionModel {
  id: string;
  variant: ModelVariant;
  loaded: boolean;
  maxLength: number;
}

interface Props {
  imageId: string;
  models: RecaptionModel[];
}

/** A whole number within [min, max], or null. */
function wholeNumberIn(value: string, { min, max }: { min: number; max: number }): number | null {
  const n = Number(value);
  return value.trim() !== '' && Number.isInteger(n) && n >= min && n <= max ? n : null;
}

export function RecaptionForm({ imageId, models }: Props) {
  const id = useId();
  const loaded = models.filter((model) => model.loaded);
  const [modelId, setModelId] = useState(loaded[0]?.id ?? '');
  const model = models.find((m) => m.id === modelId);
  const [beamSize, setBeamSize] = useState('3');
  const [maxLength, setMaxLength] = useState(String(Math.min(model?.maxLength ?? 20, MAX_LENGTH.max)));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [result, setResult] = useState<{ caption: CaptionDetail; cached: boolean } | null>(null);

  function chooseModel(next: string) {
    setModelId(next);
    const chosen = models.find((m) => m.id === next);
    if (chosen) setMaxLength(String(Math.min(chosen.maxLength, MAX_LENGTH.max)));
  }

  async function submit(event: React.FormEvent) {
    event.preventDefault();
    const beam = wholeNumberIn(beamSize, BEAM);
    const length = wholeNumberIn(maxLength, MAX_LENGTH);
    if (beam === null) return setError(`Beam width must be a whole number from ${BEAM.min} to ${BEAM.max}.`);
    if (length === null) {
      return setError(`Max length must be a whole number of words from ${MAX_LENGTH.min} to ${MAX_LENGTH.max}.`);
    }
    setBusy(true);
    setError(null);
    try {
      const data = await clientQuery<{ captionImage: { cached: boolean; caption: CaptionDetail } }>(CAPTION_IMAGE, {
        input: { imageId, modelId, beamSize: beam, maxLength: length },
      });
      setResult(data.captionImage);
    } catch (failure) {
      setError(`Could not caption the image: ${(failure as Error).message}`);
    } finally {
      setBusy(false);
    }
  }

  if (loaded.length === 0) return null;
  return (
    <section className="panel recaption" aria-labelledby={`${id}-heading`}>
      <h2 id={`${id}-heading`}>Caption again</h2>
      <p className="muted small">
        Decode with other settings: a wider beam keeps more candidate sentences; the max length cuts captions short.
      </p>
      <form className="recaption-form" onSubmit={submit} noValidate>
        <label className="filter">
          <span>Model</span>
          <select value={modelId} onChange={(e) => chooseModel(e.target.value)}>
            {loaded.map((m) => (
              <option key={m.id} value={m.id}>
                {m.id}
              </option>
            ))}
          </select>
        </label>
        <label className="filter">
          <span>
            Beam width ({BEAM.min}–{BEAM.max})
          </span>
          <input
            type="number"
            inputMode="numeric"
            min={BEAM.min}
            max={BEAM.max}
            value={beamSize}
            onChange={(e) => setBeamSize(e.target.value)}
          />
        </label>
        <label className="filter">
          <span>
            Max length ({MAX_LENGTH.min}–{MAX_LENGTH.max})
          </span>
          <input
            type="number"
            inputMode="numeric"
            min={MAX_LENGTH.min}
            max={MAX_LENGTH.max}
            value={maxLength}
            onChange={(e) => setMaxLength(e.target.value)}
          />
        </label>
        <button type="submit" className="button" disabled={busy || !modelId}>
          {busy ? 'Captioning…' : 'Caption'}
        </button>
      </form>
      {error && (
        <p className="error-text" role="alert">
          {error}
        </p>
      )}
      <div aria-live="polite">
        {result && (
          <div className="recaption-result">
            <p className="recaption-meta muted small">
              <ModelBadge variant={result.caption.model.variant} modelId={result.caption.model.id} /> beam{' '}
              {result.caption.decode.beamSize} · max {result.caption.decode.maxLength} words · BLEU-4{' '}
              {formatBleu(result.caption.sentenceBleu)} · log-prob {result.caption.logProb.toFixed(2)} ·{' '}
              {result.cached ? 'stored earlier' : `${Math.round(result.caption.latencyMs)} ms`}
            </p>
            <p className="caption-text recaption-text">{result.caption.text}</p>
            <NBestList hypotheses={result.caption.nBest} open />
          </div>
        )}
      </div>
    </section>
  );
}
