// Grouped bars: BLEU-1..4 for each finished evaluation run, so a new run sits beside earlier ones.
import { modelLabel, splitLabel } from '@/lib/format';
import type { EvaluationRun } from '@/lib/fragments';

const H = 260;
const PAD = { left: 36, right: 8, top: 12, bottom: 54 };
const GROUP_W = 92;
const BAR_W = 16;

export function BleuBarChart({ runs, highlightId }: { runs: EvaluationRun[]; highlightId: string | null }) {
  const finished = runs
    .filter((run) => run.status === 'SUCCEEDED' && run.bleu)
    .slice(0, 8)
    .reverse();
  if (finished.length === 0) {
    return <p className="muted">No finished runs yet. Start one to see its BLEU here.</p>;
  }
  const W = PAD.left + PAD.right + finished.length * GROUP_W;
  const plotH = H - PAD.top - PAD.bottom;
  const highest = Math.max(...finished.flatMap((r) => r.bleu ?? [0]));
  // Round ticks: every 10 up to 50, every 20 above.
  const step = highest <= 0.5 ? 0.1 : 0.2;
  const top = Math.min(1, Math.max(step * 2, Math.ceil(highest / step - 1e-9) * step));
  const y = (value: number) => PAD.top + (1 - value / top) * plotH;
  const ticks = Array.from({ length: Math.round(top / step) + 1 }, (_, i) => i * step);
  return (
    <div className="chart-scroll">
      <svg
        className="chart"
        viewBox={`0 0 ${W} ${H}`}
        style={{ width: W * 1.3, maxWidth: '100%' }}
        role="img"
        aria-label="BLEU-1 to BLEU-4 of each finished evaluation run"
      >
        <title>BLEU-1 to BLEU-4 per evaluation run</title>
        {ticks.map((tick) => (
          <g key={tick}>
            <line x1={PAD.left} x2={W - PAD.right} y1={y(tick)} y2={y(tick)} className="chart-grid" />
            <text x={PAD.left - 6} y={y(tick) + 4} className="chart-tick" textAnchor="end">
              {Math.round(tick * 100)}
            </text>
          </g>
        ))}
        {finished.map((run, index) => {
          const x0 = PAD.left + index * GROUP_W + (GROUP_W - 4 * BAR_W - 6) / 2;
          return (
            <g
              key={run.id}
              className={`series-${run.model.variant.toLowerCase()}`}
              data-highlight={run.id === highlightId}
            >
              {(run.bleu ?? []).map((value, n) => (
                <rect
                  key={n}
                  x={x0 + n * (BAR_W + 2)}
                  y={y(value)}
                  width={BAR_W}
                  height={Math.max(0, y(0) - y(value))}
                  className={`chart-bar chart-bar-${n + 1}`}
                >
                  <title>{`${run.model.id} ${splitLabel(run.split)} BLEU-${n + 1}: ${(value * 100).toFixed(1)}`}</title>
                </rect>
              ))}
              {(run.bleu ?? []).map((value, n) => (
                <text
                  key={`v${n}`}
                  x={x0 + n * (BAR_W + 2) + BAR_W / 2}
                  y={y(value) - 4}
                  className="chart-value"
                  textAnchor="middle"
                >
                  {Math.round(value * 100)}
                </text>
              ))}
              <text x={x0 + 2 * BAR_W + 3} y={H - PAD.bottom + 16} className="chart-tick" textAnchor="middle">
                {modelLabel(run.model.variant)}
              </text>
              <text x={x0 + 2 * BAR_W + 3} y={H - PAD.bottom + 30} className="chart-sublabel" textAnchor="middle">
                {splitLabel(run.split)} · beam {run.decode.beamSize}
              </text>
              {run.id === highlightId && (
                <text x={x0 + 2 * BAR_W + 3} y={H - PAD.bottom + 44} className="chart-new" textAnchor="middle">
                  new
                </text>
              )}
            </g>
          );
        })}
      </svg>
      <p className="muted small">Bars left to right: BLEU-1, BLEU-2, BLEU-3, BLEU-4 (×100).</p>
    </div>
  );
}
