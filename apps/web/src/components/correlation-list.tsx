// Spearman's ρ between sentence BLEU and human rating, overall and per model, beside the scatter chart.
import type { LeaderboardEntry } from '@/lib/types';

interface Correlation {
  rho: number | null;
  n: number;
}

function Rho({ value }: { value: Correlation }) {
  return (
    <>
      <strong className="correlation-value">{value.rho === null ? '—' : value.rho.toFixed(2)}</strong>
      <span className="muted small">
        {value.rho === null ? `needs ≥ 3 rated captions (n = ${value.n})` : `n = ${value.n}`}
      </span>
    </>
  );
}

export function CorrelationList({ overall, entries }: { overall: Correlation; entries: LeaderboardEntry[] }) {
  return (
    <dl className="correlations">
      <div className="correlation">
        <dt>All captions</dt>
        <dd>
          <Rho value={overall} />
        </dd>
      </div>
      {entries.map((entry) => (
        <div className="correlation" key={entry.model.id}>
          <dt>
            <span className={`dot dot-${entry.model.variant.toLowerCase()}`} aria-hidden="true" />
            {entry.model.id}
          </dt>
          <dd>
            <Rho value={entry.bleuRatingCorrelation} />
          </dd>
        </div>
      ))}
    </dl>
  );
}
