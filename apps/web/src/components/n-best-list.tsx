// Beam search's other finished hypotheses, so people can see what the model almost said.
import type { Hypothesis } from '@/lib/types';

export function NBestList({ hypotheses }: { hypotheses: Hypothesis[] }) {
  if (hypotheses.length <= 1) return null;
  return (
    <details className="n-best">
      <summary>{hypotheses.length} beam hypotheses</summary>
      <ol>
        {hypotheses.map((hypothesis, index) => (
          <li key={index}>
            <span>{hypothesis.text}</span>
            <span className="n-best-score" title="Log-probability / length-normalised score">
              {hypothesis.logProb.toFixed(2)} · {hypothesis.score.toFixed(2)}
            </span>
          </li>
        ))}
      </ol>
    </details>
  );
}
