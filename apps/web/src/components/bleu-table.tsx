// BLEU in the seed's table layout: Model, Params, Loss valid/test, BLEU-1..4 valid/test, then CIDEr-D and
// ROUGE-L valid/test. Each model's row holds what training reported at export; a second row holds what this
// service measured (latest evaluation run). Manifests and runs from before CIDEr-D and ROUGE-L show "—".
import { formatBleu, formatCount, formatMetric, modelLabel } from '@/lib/format';
import type { LeaderboardEntry, Split } from '@/lib/fragments';

const SPLITS: Split[] = ['VAL', 'TEST'];
const ORDERS = [0, 1, 2, 3];
const MORE_METRICS = [
  { key: 'cider', label: 'CIDEr-D' },
  { key: 'rougeL', label: 'ROUGE-L' },
] as const;

function loss(value: number | null | undefined): string {
  return value === null || value === undefined ? '—' : value.toFixed(3);
}

export function BleuTable({ entries }: { entries: LeaderboardEntry[] }) {
  return (
    <div
      className="table-scroll"
      tabIndex={0}
      role="region"
      aria-label="BLEU, CIDEr-D and ROUGE-L table (scrolls sideways)"
    >
      <table className="data-table">
        <thead>
          <tr>
            <th rowSpan={2} scope="col">
              Model
            </th>
            <th rowSpan={2} scope="col">
              Params
            </th>
            <th colSpan={2} scope="colgroup">
              Loss
            </th>
            {ORDERS.map((n) => (
              <th key={n} colSpan={2} scope="colgroup">
                BLEU-{n + 1}
              </th>
            ))}
            {MORE_METRICS.map((metric) => (
              <th key={metric.key} colSpan={2} scope="colgroup">
                {metric.label}
              </th>
            ))}
          </tr>
          <tr>
            <th scope="col">valid</th>
            <th scope="col">test</th>
            {[...ORDERS, ...MORE_METRICS.map((metric) => metric.key)].map((n) =>
              SPLITS.map((split) => (
                <th key={`${n}-${split}`} scope="col">
                  {split === 'VAL' ? 'valid' : 'test'}
                </th>
              )),
            )}
          </tr>
        </thead>
        <tbody>
          {entries.map((entry) => {
            const trained = Object.fromEntries(entry.model.trainingMetrics.map((m) => [m.split, m]));
            const measured = Object.fromEntries(entry.bleu.map((b) => [b.split, b]));
            const hasMeasured = entry.bleu.length > 0;
            return [
              <tr key={`${entry.model.id}-trained`}>
                <th scope="row">
                  <span className={`dot dot-${entry.model.variant.toLowerCase()}`} aria-hidden="true" />
                  {modelLabel(entry.model.variant)} <span className="muted small">{entry.model.id}</span>
                </th>
                <td
                  title={`${entry.model.params.trainable.toLocaleString('en')} trainable, ${entry.model.params.frozen.toLocaleString('en')} frozen`}
                >
                  {formatCount(entry.model.params.total)}
                </td>
                <td>{loss(trained.VAL?.loss)}</td>
                <td>{loss(trained.TEST?.loss)}</td>
                {ORDERS.map((n) =>
                  SPLITS.map((split) => <td key={`${n}-${split}`}>{formatBleu(trained[split]?.bleu[n])}</td>),
                )}
                {MORE_METRICS.map(({ key }) =>
                  SPLITS.map((split) => <td key={`${key}-${split}`}>{formatMetric(trained[split]?.[key])}</td>),
                )}
              </tr>,
              hasMeasured && (
                <tr key={`${entry.model.id}-measured`} className="row-measured">
                  <th scope="row" className="muted small">
                    ↳ measured here
                  </th>
                  <td />
                  <td />
                  <td />
                  {ORDERS.map((n) =>
                    SPLITS.map((split) => <td key={`${n}-${split}`}>{formatBleu(measured[split]?.bleu[n])}</td>),
                  )}
                  {MORE_METRICS.map(({ key }) =>
                    SPLITS.map((split) => <td key={`${key}-${split}`}>{formatMetric(measured[split]?.[key])}</td>),
                  )}
                </tr>
              ),
            ];
          })}
        </tbody>
      </table>
    </div>
  );
}
