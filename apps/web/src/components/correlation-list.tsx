// Spearman's ρ between each per-caption metric (sentence BLEU-4, ROUGE-L, CIDEr-D) and the community's mean
// rating, overall and per model, beside the BLEU scatter chart: which metric ranks captions as these voters do.
import type { Correlation, Leaderboard } from '@/lib/fragments';

type Correlations = Pick<Leaderboard, 'bleuRatingCorrelation' | 'rougeLRatingCorrelation' | 'ciderRatingCorrelation'>;

const METRICS = [
  { label: 'BLEU-4', of: (c: Correlations) => c.bleuRatingCorrelation },
  { label: 'ROUGE-L', of: (c: Correlations) => c.rougeLRatingCorrelation },
  { label: 'CIDEr-D', of: (c: Correlations) => c.ciderRatingCorrelation },
];

function Rho({ value }: { value: Correlation }) {
  return (
    <strong className="correlation-value" title={`n = ${value.n} rated captions`}>
      {value.rho === null ? '—' : value.rho.toFixed(2)}
    </strong>
  );
}

export function CorrelationList({ board }: { board: Leaderboard }) {
  const rows = [
    { key: 'all', name: 'all captions', label: <>All captions</>, correlations: board as Correlations },
    ...board.entries.map((entry) => ({
      key: entry.model.id,
      name: entry.model.id,
      label: (
        <>
          <span className={`dot dot-${entry.model.variant.toLowerCase()}`} aria-hidden="true" />
          {entry.model.id}
        </>
      ),
      correlations: entry as Correlations,
    })),
  ];
  return (
    <div className="correlations">
      {rows.map((row) => (
        <section className="correlation" key={row.key} aria-label={`Spearman’s ρ with ratings: ${row.name}`}>
          <h3 className="correlation-subject">
            {row.label} <span className="muted small">n = {row.correlations.bleuRatingCorrelation.n}</span>
          </h3>
          <dl>
            {METRICS.map((metric) => (
              <div key={metric.label}>
                <dt>{metric.label}</dt>
                <dd>
                  <Rho value={metric.of(row.correlations)} />
                </dd>
              </div>
            ))}
          </dl>
        </section>
      ))}
      <p className="muted small">— : ρ needs at least 3 rated captions with references, and ratings that differ.</p>
    </div>
  );
}
