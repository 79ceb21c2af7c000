'use client';
// Start an evaluation run for a model on a dataset split with chosen decode settings, watch every active run's
// progress (live: the evaluationRunProgress subscription; polling when the socket fails), see BLEU beside the earlier
// runs, and compare two finished runs side by side.
import { useEffect, useState } from 'react';
import { graphql } from '@/generated';
import { clientQuery } from '@/lib/client-graphql';
import { subscribeLive } from '@/lib/live-subscription';
import { BEAM_WIDTH, checkDecodeSettings, defaultMaxLength, MAX_LENGTH } from '@/lib/decode-limits';
import { splitLabel } from '@/lib/format';
import type { Dataset, EvaluationRun, ModelChoice, Split } from '@/lib/fragments';
import { BleuBarChart } from './bleu-bar-chart';
import { EvaluationRunRow } from './evaluation-run-row';
import { RangeField } from './range-field';
import { RunComparison } from './run-comparison';

const RUNS_QUERY = graphql(`
  query Runs {
    evaluationRuns(first: 50) {
      ...EvaluationRunFields
    }
  }
`);

const START = graphql(`
  mutation Start($input: StartEvaluationRunInput!) {
    startEvaluationRun(input: $input) {
      joined
      run {
        ...EvaluationRunFields
      }
    }
  }
`);

const RUN_PROGRESS = graphql(`
  subscription RunProgress($id: ID!) {
    evaluationRunProgress(id: $id) {
      ...EvaluationRunFields
    }
  }
`);

const POLL_MS = 1000;
const SPLITS: Split[] = ['TEST', 'VAL', 'TRAIN'];
const BEAM_CHOICES = Array.from({ length: BEAM_WIDTH.max - BEAM_WIDTH.min + 1 }, (_, i) => BEAM_WIDTH.min + i);

interface Props {
  models: ModelChoice[];
  datasets: Dataset[];
  initialRuns: EvaluationRun[];
}

/** Images an evaluation of this split would score: in the chosen dataset, or in all of them (''). */
function scoredImages(datasets: Dataset[], dataset: string, split: Split): number {
  return datasets
    .filter((d) => dataset === '' || d.name === dataset)
    .flatMap((d) => d.splits)
    .filter((s) => s.split === split)
    .reduce((sum, s) => sum + s.withReferences, 0);
}

export function EvaluationConsole({ models, datasets, initialRuns }: Props) {
  const [runs, setRuns] = useState(initialRuns);
  const [modelId, setModelId] = useState(models.find((m) => m.loaded)?.id ?? models[0]?.id ?? '');
  // One dataset preselected when there is only one, so the run says what it measured.
  const [dataset, setDataset] = useState(datasets.length === 1 ? datasets[0]!.name : '');
  const [split, setSplit] = useState<Split>('TEST');
  const [beamSize, setBeamSize] = useState('3');
  const [maxLength, setMaxLength] = useState(String(defaultMaxLength(models.find((m) => m.id === modelId)?.maxLength)));
  const [starting, setStarting] = useState(false);
  const [message, setMessage] = useState<{ error: boolean; text: string } | null>(null);
  const [latestId, setLatestId] = useState<string | null>(null);

  // Each active run's progress arrives live; if the socket fails, the list is polled instead.
  const [live, setLive] = useState(true);
  const activeKey = runs
    .filter((run) => run.status === 'QUEUED' || run.status === 'RUNNING')
    .map((run) => run.id)
    .join(',');
  useEffect(() => {
    if (!activeKey || !live) return;
    let stopped = false;
    const stops = activeKey.split(',').map((id) =>
      subscribeLive(
        RUN_PROGRESS,
        { id },
        {
          next: ({ evaluationRunProgress: run }) =>
            setRuns((list) => list.map((existing) => (existing.id === run.id ? run : existing))),
          failed: () => {
            if (!stopped) setLive(false);
          },
        },
      ),
    );
    return () => {
      stopped = true;
      stops.forEach((stop) => stop());
    };
  }, [activeKey, live]);
  useEffect(() => {
    if (!activeKey || live) return;
    const timer = setInterval(async () => {
      try {
        setRuns((await clientQuery(RUNS_QUERY)).evaluationRuns);
      } catch {
        // Retried on the next tick.
      }
    }, POLL_MS);
    return () => clearInterval(timer);
  }, [activeKey, live]);

  async function start(event: React.FormEvent) {
    event.preventDefault();
    const settings = checkDecodeSettings(beamSize, maxLength);
    if ('error' in settings) return setMessage({ error: true, text: settings.error });
    setStarting(true);
    setMessage(null);
    try {
      const data = await clientQuery(START, {
        input: { modelId, split, dataset: dataset || null, ...settings },
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
    <div className="evaluations" data-progress={live ? 'live' : 'polling'}>
      <form className="panel eval-form" onSubmit={start} noValidate>
        <h2>New run</h2>
        <label className="filter">
          <span>Model</span>
          <select
            value={modelId}
            onChange={(e) => {
              setModelId(e.target.value);
              setMaxLength(String(defaultMaxLength(models.find((m) => m.id === e.target.value)?.maxLength)));
            }}
            required
          >
            {models.map((model) => (
              <option key={model.id} value={model.id} disabled={!model.loaded}>
                {model.id}
                {model.loaded ? '' : ' (not loaded)'}
              </option>
            ))}
          </select>
        </label>
        <label className="filter">
          <span>Dataset</span>
          <select value={dataset} onChange={(e) => setDataset(e.target.value)}>
            <option value="">All datasets</option>
            {datasets.map((d) => (
              <option key={d.name} value={d.name}>
                {d.name}
              </option>
            ))}
          </select>
        </label>
        <label className="filter">
          <span>Split</span>
          <select value={split} onChange={(e) => setSplit(e.target.value as Split)}>
            {SPLITS.map((s) => (
              <option key={s} value={s}>
                {splitLabel(s)}
              </option>
            ))}
          </select>
        </label>
        <p className="muted small eval-scope">
          {scoredImages(datasets, dataset, split)} images with references in this split will be scored.
        </p>
        <label className="filter">
          <span>Beam width</span>
          <select value={beamSize} onChange={(e) => setBeamSize(e.target.value)}>
            {BEAM_CHOICES.map((n) => (
              <option key={n} value={n}>
                {n === 1 ? '1 (greedy)' : n}
              </option>
            ))}
          </select>
        </label>
        <RangeField label="Max length" unit="words" range={MAX_LENGTH} value={maxLength} onChange={setMaxLength} />
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
      <section className="panel eval-compare" aria-labelledby="eval-compare-heading">
        <h2 id="eval-compare-heading">Compare two runs</h2>
        <RunComparison runs={runs} />
      </section>
    </div>
  );
}
