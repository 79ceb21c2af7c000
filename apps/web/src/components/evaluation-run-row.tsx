// One evaluation run in the list: what it evaluates, how far it is, and its BLEU, CIDEr-D and ROUGE-L once done.
import { formatBleu, formatMetric, splitLabel } from '@/lib/format';
import type { EvaluationRun } from '@/lib/fragments';
import { ModelBadge } from './model-badge';

const STATUS_LABEL = { QUEUED: 'Queued', RUNNING: 'Running', SUCCEEDED: 'Done', FAILED: 'Failed' } as const;

export function EvaluationRunRow({ run }: { run: EvaluationRun }) {
  const active = run.status === 'QUEUED' || run.status === 'RUNNING';
  return (
    <li className="run-row" data-status={run.status.toLowerCase()}>
      <div className="run-what">
        <ModelBadge variant={run.model.variant} modelId={run.model.id} />
        <span>{run.model.id}</span>
        <span className="muted small">
          {splitLabel(run.split)}
          {run.dataset ? ` · ${run.dataset}` : ''} · beam {run.decode.beamSize} ·{' '}
          {new Date(run.createdAt).toLocaleString('en-GB', {
            dateStyle: 'medium',
            timeStyle: 'short',
            timeZone: 'UTC',
          })}{' '}
          UTC
        </span>
      </div>
      <div className="run-progress">
        <span className={`status status-${run.status.toLowerCase()}`}>{STATUS_LABEL[run.status]}</span>
        {active && (
          <>
            <progress
              max={1}
              value={run.progress}
              aria-label={`Progress of ${run.model.id} on ${splitLabel(run.split)}`}
            />
            <span className="muted small">
              {run.processed} / {run.total} images
            </span>
          </>
        )}
        {run.status === 'SUCCEEDED' && run.bleu && (
          <span className="run-bleu">
            {run.bleu.map((value, n) => (
              <span key={n}>
                <span className="muted small">B{n + 1}</span> {formatBleu(value)}
              </span>
            ))}
            {/* Runs that finished before CIDEr-D and ROUGE-L were measured have neither. */}
            {run.cider !== null && (
              <span className="run-cider">
                <span className="muted small">CIDEr-D</span> {formatMetric(run.cider)}
              </span>
            )}
            {run.rougeL !== null && (
              <span className="run-rouge">
                <span className="muted small">ROUGE-L</span> {formatMetric(run.rougeL)}
              </span>
            )}
          </span>
        )}
        {run.status === 'SUCCEEDED' && (
          <span className="muted small">
            {run.total} images, {run.reusedCaptions} cached captions reused
          </span>
        )}
        {run.status === 'FAILED' && <span className="error-text small">{run.error ?? 'Failed without a reason.'}</span>}
      </div>
    </li>
  );
}
