// Sentence BLEU (x) against mean human rating (y) for every rated caption, one colour per model: does the
// automatic metric agree with people?
import { modelLabel } from '@/lib/format';
import type { LeaderboardEntry } from '@/lib/fragments';

const W = 560;
const H = 320;
const PAD = { left: 44, right: 16, top: 14, bottom: 40 };

export function BleuRatingScatter({ entries }: { entries: LeaderboardEntry[] }) {
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const x = (bleu: number) => PAD.left + Math.min(1, Math.max(0, bleu)) * plotW;
  const y = (rating: number) => PAD.top + (1 - (Math.min(5, Math.max(1, rating)) - 1) / 4) * plotH;
  const count = entries.reduce((sum, entry) => sum + entry.bleuRatingPoints.length, 0);
  return (
    <svg
      className="chart chart-scatter"
      viewBox={`0 0 ${W} ${H}`}
      role="img"
      aria-label={`Scatter chart of sentence BLEU against mean rating, ${count} captions`}
    >
      <title>Sentence BLEU against mean human rating</title>
      {[0, 0.25, 0.5, 0.75, 1].map((tick) => (
        <g key={`x${tick}`}>
          <line x1={x(tick)} x2={x(tick)} y1={PAD.top} y2={PAD.top + plotH} className="chart-grid" />
          <text x={x(tick)} y={H - 22} className="chart-tick" textAnchor="middle">
            {tick * 100}
          </text>
        </g>
      ))}
      {[1, 2, 3, 4, 5].map((tick) => (
        <g key={`y${tick}`}>
          <line x1={PAD.left} x2={PAD.left + plotW} y1={y(tick)} y2={y(tick)} className="chart-grid" />
          <text x={PAD.left - 8} y={y(tick) + 4} className="chart-tick" textAnchor="end">
            {tick}★
          </text>
        </g>
      ))}
      <text x={PAD.left + plotW / 2} y={H - 4} className="chart-axis-title" textAnchor="middle">
        Sentence BLEU-4
      </text>
      {entries.map((entry) => (
        <g key={entry.model.id} className={`series-${entry.model.variant.toLowerCase()}`}>
          {entry.bleuRatingPoints.map((point) => (
            <circle
              key={point.captionId}
              cx={x(point.sentenceBleu)}
              cy={y(point.meanRating)}
              r={3 + Math.min(5, Math.sqrt(point.ratingCount))}
              className="chart-dot"
            >
              <title>{`${modelLabel(entry.model.variant)}: BLEU ${(point.sentenceBleu * 100).toFixed(1)}, ${point.meanRating.toFixed(2)}★ (${point.ratingCount} rating${point.ratingCount === 1 ? '' : 's'})`}</title>
            </circle>
          ))}
        </g>
      ))}
      {count === 0 && (
        <text x={PAD.left + plotW / 2} y={PAD.top + plotH / 2} className="chart-tick" textAnchor="middle">
          Rate captions that have references to fill this chart
        </text>
      )}
    </svg>
  );
}
