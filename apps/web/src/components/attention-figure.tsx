'use client';
// The image large, with the attention model's caption as a strip of words underneath: hover, focus or step
// through a word to see where the model looked when it said it (the Show, Attend and Tell figure, live).
import { useEffect, useRef, useState } from 'react';
import type { Attention } from '@/lib/fragments';
import { HeatmapCanvas } from './heatmap-canvas';

interface Props {
  src: string;
  thumbnailSrc: string;
  alt: string;
  width: number;
  height: number;
  attention: Attention | null;
}

const PLAY_STEP_MS = 800;

export function AttentionFigure({ src, thumbnailSrc, alt, width, height, attention }: Props) {
  const [active, setActive] = useState<number | null>(null);
  const [playing, setPlaying] = useState(false);
  const buttons = useRef<(HTMLButtonElement | null)[]>([]);
  const steps = attention?.steps ?? [];

  useEffect(() => {
    if (!playing || steps.length === 0) return;
    const timer = setInterval(() => {
      setActive((current) => {
        const next = current === null ? 0 : current + 1;
        if (next >= steps.length) {
          setPlaying(false);
          return null;
        }
        return next;
      });
    }, PLAY_STEP_MS);
    return () => clearInterval(timer);
  }, [playing, steps.length]);

  function focusStep(index: number) {
    const clamped = (index + steps.length) % steps.length;
    setActive(clamped);
    buttons.current[clamped]?.focus();
  }

  function onStripKey(event: React.KeyboardEvent) {
    const current = active ?? -1;
    if (event.key === 'ArrowRight') focusStep(current + 1);
    else if (event.key === 'ArrowLeft') focusStep(current < 0 ? steps.length - 1 : current - 1);
    else if (event.key === 'Home') focusStep(0);
    else if (event.key === 'End') focusStep(steps.length - 1);
    else if (event.key === 'Escape') setActive(null);
    else return;
    event.preventDefault();
  }

  const activeStep = active === null ? null : (steps[active] ?? null);
  return (
    <figure className="attention-figure">
      <div className="attention-stage" style={{ aspectRatio: `${width} / ${height}` }}>
        <img src={src} alt={alt} width={width} height={height} className="attention-image" />
        {attention && (
          <HeatmapCanvas weights={activeStep?.weights ?? null} rows={attention.rows} cols={attention.cols} />
        )}
        {activeStep && (
          <span className="attention-word" aria-live="polite">
            “{activeStep.word}”
          </span>
        )}
      </div>
      {attention && steps.length > 0 && (
        <figcaption className="attention-caption">
          <div className="attention-toolbar">
            <span className="muted">
              Where the attention model looked for each word. Hover a word, or use ← → keys.
            </span>
            <button
              type="button"
              className="button button-quiet button-small"
              onClick={() => {
                if (!playing) setActive(null);
                setPlaying(!playing);
              }}
              aria-pressed={playing}
            >
              {playing ? 'Pause' : 'Play'}
            </button>
          </div>
          <ol
            className="attention-strip"
            aria-label="Words of the attention model’s caption"
            onKeyDown={onStripKey}
            onMouseLeave={() => {
              if (!playing) setActive(null);
            }}
          >
            {steps.map((step, index) => (
              <li key={index}>
                <button
                  type="button"
                  ref={(element) => {
                    buttons.current[index] = element;
                  }}
                  className="attention-step"
                  aria-pressed={active === index}
                  tabIndex={index === (active ?? 0) ? 0 : -1}
                  onMouseEnter={() => setActive(index)}
                  onFocus={() => setActive(index)}
                  onClick={() => setActive(index)}
                >
                  <span className="attention-step-thumb" style={{ aspectRatio: `${width} / ${height}` }}>
                    <img
                      src={thumbnailSrc}
                      alt=""
                      width={64}
                      height={Math.max(1, Math.round((64 * height) / width))}
                      loading="lazy"
                    />
                    <HeatmapCanvas weights={step.weights} rows={attention.rows} cols={attention.cols} resolution={64} />
                  </span>
                  <span className="attention-step-word">{step.word}</span>
                </button>
              </li>
            ))}
          </ol>
        </figcaption>
      )}
    </figure>
  );
}
