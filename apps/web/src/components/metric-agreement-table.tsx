// Which metric agrees with people: each metric's Kendall tau against Flickr8k's human judgements, this project's
// value beside the published one (docs/human-agreement.md), as the API's metricHumanAgreement serves it.
import type { MetricHumanAgreement } from '@/lib/fragments';

/** Kendall tau x100, as the caption-metric papers print it. */
function formatTau(value: number | null | undefined): string {
  return value === null || value === undefined ? '—' : (value * 100).toFixed(1);
}

export function MetricAgreementTable({ agreement }: { agreement: MetricHumanAgreement }) {
  const sets = agreement.judgementSets;
  const metrics = sets[0]?.metrics.map((m) => m.metric) ?? [];
  // The metric that agrees best with each set of judgements, by our numbers.
  const best = sets.map((set) => set.metrics.reduce((a, b) => (b.kendall > a.kendall ? b : a)).metric);
  return (
    <>
      <div
        className="table-scroll"
        tabIndex={0}
        role="region"
        aria-label="Metric agreement with people (scrolls sideways)"
      >
        <table className="data-table metric-agreement">
          <caption className="muted small">
            Kendall τ ×100 between each metric and human scores of the same captions; higher agrees better.
          </caption>
          <thead>
            <tr>
              <th rowSpan={2} scope="col">
                Metric
              </th>
              {sets.map((set) => (
                <th key={set.name} colSpan={2} scope="colgroup">
                  {set.name} (τ-{set.tau})
                </th>
              ))}
            </tr>
            <tr>
              {sets.map((set) => [
                <th key={`${set.name}-ours`} scope="col">
                  ours
                </th>,
                <th key={`${set.name}-published`} scope="col">
                  published
                </th>,
              ])}
            </tr>
          </thead>
          <tbody>
            {metrics.map((metric, i) => (
              <tr key={metric}>
                <th scope="row">{metric}</th>
                {sets.map((set, s) => [
                  <td key={`${set.name}-ours`}>
                    {best[s] === metric ? (
                      <strong title="Agrees best with these judgements">{formatTau(set.metrics[i]?.kendall)}</strong>
                    ) : (
                      formatTau(set.metrics[i]?.kendall)
                    )}
                  </td>,
                  <td key={`${set.name}-published`} className="muted">
                    {formatTau(set.metrics[i]?.published)}
                  </td>,
                ])}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <ul className="muted small metric-agreement-notes">
        {sets.map((set) => (
          <li key={set.name}>
            {set.name}: {set.judgements.toLocaleString('en')} judgements of {set.images.toLocaleString('en')} images (
            {set.file}); {set.protocol}.
          </li>
        ))}
        <li>Published: {agreement.publishedSource}.</li>
      </ul>
    </>
  );
}
