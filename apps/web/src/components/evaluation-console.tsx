'use client';
// Start an evaluation run for a model and split, watch every active run's progress (polling), and see BLEU
// beside the earlier runs.
import { useEffect, useState } from 'react';
import { clientQuery } from '@/lib/client-graphql';
import { EVALUATION_RUN_FIELDS } from '@/lib/fragments';
import type { EvaluationRun, ModelRef, Split } from '@/lib/types';
import { BleuBarChart } from './bleu-bar-chart';
import { EvaluationRunRow } from './evaluation-run-row';

const RUNS_QUERY = /* GraphQL */ `
  query Runs {
    evaluationRuns(first: 50) {
      ...EvaluationRunFields
    }
  }
  ${EVALUATION_RUN_FIELDS}
`;

const START = /* GraphQL */ `
  mutation Start($input: StartEvaluationRunInput!) {
    startEvaluationRun(input: $input) {
      joined
      run {
        ...EvaluationRunFields
      }
    }
  }
  ${EVALUATION_RUN_FIELDS}
`;

const POLL_MS = 1000;

interface Props {
  models: (ModelRef & { loaded: boolean })[];
  initialRuns: EvaluationRun[];
}

export function EvaluationConsole({ models, initialRuns }: Props) {
  const [runs, setRuns] = useState(initialRuns);
  const [modelId, setModelId] = useState(models.find((m) => m.loaded)?.id ?? models[0]?.id ?? '');
  const [split, setSplit] = useState<Split>('TEST');
  const [beamSize, setBeamSize] = useState(3);
  const [starting, setStarting] = useState(false);
  const [message, setMessage] = useState<{ error: boolean; text: string } | null>(null);
  const [latestId, setLatestId] = useState<string | null>(null);

  const anyActive = runs.some((run) => run.status === 'QUEUED' || run.status === 'RUNNING');
  useEffect(() => {
    if (!anyActive) return;
    const timer = setInterval(async () => {
      try {
        setRuns((await clientQuery<{ evaluationRuns: EvaluationRun[] }>(RUNS_QUERY)).evaluationRuns);
      } catch {
        // Retried on the next tick.
      }
    }, POLL_MS);
    return () => clearInterval(timer);
  }, [anyActive]);

  async function start(event: React.FormEvent) {
    event.preventDefault();
    setStarting(true);
    setMessage(null);
    try {
      const data = await clientQuery<{ startEvaluationRun: { joined: boolean; run: EvaluationRun } }>(START, {
        input: { modelId, split, beamSize },
      });
      const { run, joined } = data.startEvaluationRun;
      setLatestId(run.id);
      setRuns((list) => [run, ...list.filter((existing) => existing.id !== run.id)]);
      setMessage({
        error: false,
        text: joined ? 'The same run was already going; you are watching it now.' : 'Run started.',
      });
    } catch (error) {
      setMessage({ error: true, text: (error as Error).message });
    } finally {
      setStarting(false);
    }
  }

  return (
    <div className="evaluations">
      <form className="panel eval-form" onSubmit={start}>
        <h2>New run</h2>
        <label className="filter">
          <span>Model</span>
          <select value={modelId} onChange={(e) => setModelId(e.target.value)} required>
            {models.map((model) => (
              <option key={model.id} value={model.id} disabled={!model.loaded}>
                {model.id}
                {model.loaded ? '' : ' (not loaded)'}
              </option>
            ))}
          </select>
        </label>
        <label className="filter">
          <span>Split</span>
          <select value={split} onChange={(e) => setSplit(e.target.value as Split)}>
            <option value="TEST">Test</option>
            <option value="VAL">Validation</option>
            <option value="TRAIN">Train</option>
          </select>
        </label>
        <label className="filter">
          <span>Beam size</span>
          <select value={beamSize} onChange={(e) => setBeamSize(Number(e.target.value))}>
            {[1, 2, 3, 5, 10].map((n) => (
              <option key={n} value={n}>
                {n === 1 ? '1 (greedy)' : n}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" className="button" disabled={starting || !modelId}>
          {starting ? 'Starting…' : 'Start evaluation'}
        </button>
        {message && (
          <p className={message.error ? 'error-text' : 'muted'} role={message.error ? 'alert' : 'status'}>
            {message.text}
          </p>
        )}
      </form>
      <section className="panel eval-chart" aria-labelledby="eval-chart-heading">
        <h2 id="eval-chart-heading">BLEU by run</h2>
        <BleuBarChart runs={runs} highlightId={latestId} />
      </section>
      <section className="panel eval-runs" aria-labelledby="eval-runs-heading">
        <h2 id="eval-runs-heading">Runs</h2>
        {runs.length === 0 ? (
          <p className="muted">No runs yet.</p>
        ) : (
          <ul className="run-list">
            {runs.map((run) => (
              <EvaluationRunRow key={run.id} run={run} />
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}
