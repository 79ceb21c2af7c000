'use client';
// Caption this image again with a chosen model and decode settings (beam width, max length), and show the new
// caption with beam search's n-best list and scores. Settings already tried come back from the store (`cached`).
import { useId, useState } from 'react';
import { graphql } from '@/generated';
import { clientQuery } from '@/lib/client-graphql';
import { BEAM_WIDTH, checkDecodeSettings, defaultMaxLength, MAX_LENGTH } from '@/lib/decode-limits';
import type { CaptionDetail, ModelChoice } from '@/lib/fragments';
import { formatBleu } from '@/lib/format';
import { ModelBadge } from './model-badge';
import { NBestList } from './n-best-list';
import { RangeField } from './range-field';

const CAPTION_IMAGE = graphql(`
  mutation Recaption($input: CaptionImageInput!) {
    captionImage(input: $input) {
      cached
      caption {
        ...CaptionDetailFields
      }
    }
  }
`);

interface Props {
  imageId: string;
  models: ModelChoice[];
}

export function RecaptionForm({ imageId, models }: Props) {
  const id = useId();
  const loaded = models.filter((model) => model.loaded);
  const [modelId, setModelId] = useState(loaded[0]?.id ?? '');
  const model = models.find((m) => m.id === modelId);
  const [beamSize, setBeamSize] = useState('3');
  const [maxLength, setMaxLength] = useState(String(defaultMaxLength(model?.maxLength)));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [result, setResult] = useState<{ caption: CaptionDetail; cached: boolean } | null>(null);

  function chooseModel(next: string) {
    setModelId(next);
    const chosen = models.find((m) => m.id === next);
    if (chosen) setMaxLength(String(defaultMaxLength(chosen.maxLength)));
  }

  async function submit(event: React.FormEvent) {
    event.preventDefault();
    const settings = checkDecodeSettings(beamSize, maxLength);
    if ('error' in settings) return setError(settings.error);
    setBusy(true);
    setError(null);
    try {
      const data = await clientQuery(CAPTION_IMAGE, {
        input: { imageId, modelId, ...settings },
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
        <RangeField label="Beam width" range={BEAM_WIDTH} value={beamSize} onChange={setBeamSize} />
        <RangeField label="Max length" range={MAX_LENGTH} value={maxLength} onChange={setMaxLength} />
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
