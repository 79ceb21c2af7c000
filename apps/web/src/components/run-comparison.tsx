'use client';
// Two finished evaluation runs side by side: each metric with its delta, and the images where the two runs'
// captions disagree most (largest gap in sentence BLEU on the same image).
import { useEffect, useState } from 'react';
import { graphql } from '@/generated';
import type { CompareRunsQuery } from '@/generated/graphql';
import { clientQuery } from '@/lib/client-graphql';
import type { EvaluationRun } from '@/lib/fragments';
import { formatBleu, splitLabel } from '@/lib/format';
import { thumbnailSize } from './thumbnail-size';

const COMPARE = graphql(`
  query CompareRuns($runA: ID!, $runB: ID!) {
    evaluationRunComparison(runA: $runA, runB: $runB, first: 8) {
      sharedImages
      disagreements {
        bleuDelta
        image {
          id
          width
          height
          thumbnailUrl
        }
        captionA {
          id
          text
          sentenceBleu
        }
        captionB {
          id
          text
          sentenceBleu
        }
      }
    }
  }
`);
type EvaluationRunComparison = NonNullable<CompareRunsQuery['evaluationRunComparison']>;

/** The corpus metrics a run reports, in table order; a new metric is one more entry. */
const METRICS: { label: string; value: (run: EvaluationRun) => number | null | undefined }[] = [
  ...[0, 1, 2, 3].map((n) => ({ label: `BLEU-${n + 1}`, value: (run: EvaluationRun) => run.bleu?.[n] })),
  { label: 'CIDEr-D', value: (run) => run.cider },
  { label: 'ROUGE-L', value: (run) => run.rougeL },
];

function runLabel(run: EvaluationRun): string {
  const when = new Date(run.finishedAt ?? run.createdAt).toLocaleString('en-GB', {
    dateStyle: 'short',
    timeStyle: 'short',
    timeZone: 'UTC',
  });
  return `${run.model.id} · ${run.dataset ?? 'all datasets'} ${splitLabel(run.split).toLowerCase()} · beam ${run.decode.beamSize} · max ${run.decode.maxLength} · ${when}`;
}

/** A difference on the 0..100 scale, signed. */
function formatDelta(delta: number | null): string {
  if (delta === null) return '—';
  const scaled = (delta * 100).toFixed(1);
  return delta > 0 ? `+${scaled}` : scaled;
}

export function RunComparison({ runs }: { runs: EvaluationRun[] }) {
  const finished = runs.filter((run) => run.status === 'SUCCEEDED');
  // Default: the newest finished run (B) against the one before it (A).
  const [picked, setPicked] = useState<{ a: string; b: string }>({ a: '', b: '' });
  const a = finished.find((run) => run.id === picked.a) ?? finished[1] ?? null;
  const b = finished.find((run) => run.id === picked.b) ?? finished[0] ?? null;
  const pair = a && b && a.id !== b.id ? `${a.id} ${b.id}` : null;
  // Answers are kept with the pair they belong to, so a slow answer never shows under another pair.
  const [answer, setAnswer] = useState<{ pair: string; comparison: EvaluationRunComparison | null; error?: string }>();

  useEffect(() => {
    if (!pair) return;
    const [runA, runB] = pair.split(' ');
    clientQuery(COMPARE, { runA: runA!, runB: runB! })
      .then((data) => setAnswer({ pair, comparison: data.evaluationRunComparison }))
      .catch((failure: unknown) =>
        setAnswer({ pair, comparison: null, error: `Could not compare the runs: ${(failure as Error).message}` }),
      );
  }, [pair]);

  if (finished.length < 2) {
    return <p className="muted">Two finished runs are needed for a comparison.</p>;
  }
  const same = pair === null;
  const current = answer?.pair === pair ? answer : undefined;
  const shown = current?.comparison ?? null;
  const error = current
    ? (current.error ?? (current.comparison ? null : 'One of these runs no longer exists. Pick another.'))
    : null;
  return (
    <div className="run-comparison">
      <div className="compare-pickers">
        {(['a', 'b'] as const).map((side) => (
          <label key={side} className="filter">
            <span>Run {side.toUpperCase()}</span>
            <select
              value={(side === 'a' ? a : b)?.id ?? ''}
              onChange={(e) => setPicked((p) => ({ ...p, a: a?.id ?? '', b: b?.id ?? '', [side]: e.target.value }))}
            >
              {finished.map((run) => (
                <option key={run.id} value={run.id}>
                  {runLabel(run)}
                </option>
              ))}
            </select>
          </label>
        ))}
      </div>
      {same && <p className="muted">Pick two different runs.</p>}
      {error && !same && (
        <p className="error-text" role="alert">
          {error}
        </p>
      )}
      {a && b && !same && (
        <div className="table-scroll" tabIndex={0} role="region" aria-label="Metrics of the two runs">
          <table className="data-table metric-deltas">
            <thead>
              <tr>
                <th scope="col">Metric</th>
                <th scope="col">Run A</th>
                <th scope="col">Run B</th>
                <th scope="col">B − A</th>
              </tr>
            </thead>
            <tbody>
              {METRICS.map(({ label, value }) => {
                const [va, vb] = [value(a) ?? null, value(b) ?? null];
                const delta = va === null || vb === null ? null : vb - va;
                return (
                  <tr key={label}>
                    <th scope="row">{label}</th>
                    <td>{formatBleu(va)}</td>
                    <td>{formatBleu(vb)}</td>
                    <td data-sign={delta === null ? undefined : Math.sign(delta)}>{formatDelta(delta)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {shown && (
        <>
          <h3 className="disagreements-heading">Where they disagree most</h3>
          <p className="muted small">
            Of the {shown.sharedImages} image{shown.sharedImages === 1 ? '' : 's'} both runs captioned, those whose
            captions differ, by the gap in sentence BLEU-4 (×100) against the references.
          </p>
          {shown.disagreements.length === 0 ? (
            <p className="muted">The two runs caption every shared image the same way.</p>
          ) : (
            <ol className="disagreements">
              {shown.disagreements.map((d) => {
                const size = thumbnailSize(d.image.width, d.image.height);
                return (
                  <li key={d.image.id} className="disagreement">
                    <a href={`/images/${d.image.id}`} aria-label="Open the image">
                      <img src={d.image.thumbnailUrl} alt="" width={size.width} height={size.height} />
                    </a>
                    <dl>
                      <div>
                        <dt>A · {formatBleu(d.captionA.sentenceBleu)}</dt>
                        <dd>{d.captionA.text}</dd>
                      </div>
                      <div>
                        <dt>B · {formatBleu(d.captionB.sentenceBleu)}</dt>
                        <dd>{d.captionB.text}</dd>
                      </div>
                    </dl>
                    <span className="disagreement-delta" title="Sentence BLEU-4 of B minus A (×100)">
                      {formatDelta(-d.bleuDelta)}
                    </span>
                  </li>
                );
              })}
            </ol>
          )}
        </>
      )}
    </div>
  );
}
