// A small forest plot: one row per model with a point estimate and its 95% interval on a shared axis.
// Used for mean star rating (1..5) and Bradley–Terry strength.
import { modelLabel } from '@/lib/format';
import type { ModelVariant } from '@/lib/fragments';

export interface IntervalRow {
  label: string;
  variant: ModelVariant;
  value: number | null;
  low: number | null;
  high: number | null;
  note: string;
}

interface Props {
  title: string;
  rows: IntervalRow[];
  min: number;
  max: number;
  ticks: number[];
  format: (value: number) => string;
  /** A reference line, e.g. 0 for strength (no preference). */
  reference?: number;
}

const WIDTH = 440;
const LABEL_W = 100;
const NOTE_W = 84;
const ROW_H = 44;
const AXIS_H = 26;

export function IntervalChart({ title, rows, min, max, ticks, format, reference }: Props) {
  const plotW = WIDTH - LABEL_W - NOTE_W;
  const x = (value: number) => LABEL_W + ((Math.min(max, Math.max(min, value)) - min) / (max - min)) * plotW;
  const height = rows.length * ROW_H + AXIS_H;
  return (
    <svg className="chart" viewBox={`0 0 ${WIDTH} ${height}`} role="img" aria-label={title}>
      <title>{title}</title>
      {ticks.map((tick) => (
        <g key={tick}>
          <line x1={x(tick)} x2={x(tick)} y1={0} y2={height - AXIS_H} className="chart-grid" />
          <text x={x(tick)} y={height - 8} className="chart-tick" textAnchor="middle">
            {format(tick)}
          </text>
        </g>
      ))}
      {reference !== undefined && (
        <line x1={x(reference)} x2={x(reference)} y1={0} y2={height - AXIS_H} className="chart-reference" />
      )}
      {rows.map((row, index) => {
        const y = index * ROW_H + ROW_H / 2;
        return (
          <g key={row.label} className={`series-${row.variant.toLowerCase()}`}>
            <text x={0} y={y + 4} className="chart-label">
              {modelLabel(row.variant)}
            </text>
            <text x={0} y={y + 18} className="chart-sublabel">
              {row.label}
            </text>
            {row.low !== null && row.high !== null && (
              <line x1={x(row.low)} x2={x(row.high)} y1={y} y2={y} className="chart-interval" />
            )}
            {row.value !== null ? (
              <circle cx={x(row.value)} cy={y} r={6} className="chart-point" />
            ) : (
              <text x={LABEL_W + plotW / 2} y={y + 4} className="chart-tick" textAnchor="middle">
                no data yet
              </text>
            )}
            <text x={WIDTH} y={y + 4} className="chart-note" textAnchor="end">
              {row.note}
            </text>
          </g>
        );
      })}
    </svg>
  );
}
