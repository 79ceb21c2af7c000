// Beam search's other finished hypotheses, so people can see what the model almost said.
import type { Hypothesis } from '@/lib/fragments';

/** Collapsed and hidden for a single hypothesis by default; `open` shows it expanded, even for greedy decoding. */
export function NBestList({ hypotheses, open = false }: { hypotheses: Hypothesis[]; open?: boolean }) {
  if (hypotheses.length <= 1 && !open) return null;
  return (
    <details className="n-best" open={open}>
      <summary>
        {hypotheses.length} beam hypothes{hypotheses.length === 1 ? 'is' : 'es'}
      </summary>
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
