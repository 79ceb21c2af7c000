// Leaderboard: models ranked arena-style from blind votes, how people rate each model, BLEU in the seed's
// layout, and whether BLEU agrees with people.
import type { Metadata } from 'next';
import Link from 'next/link';
import { BleuRatingScatter } from '@/components/bleu-rating-scatter';
import { BleuTable } from '@/components/bleu-table';
import { CorrelationList } from '@/components/correlation-list';
import { IntervalChart } from '@/components/interval-chart';
import { ModelBadge } from '@/components/model-badge';
import { ServiceError } from '@/components/service-error';
import { graphql } from '@/generated';
import type { Leaderboard, LeaderboardEntry } from '@/lib/fragments';
import { formatBleu, formatMetric, formatStars, modelLongName } from '@/lib/format';
import { serverQuery } from '@/lib/server-graphql';

export const metadata: Metadata = { title: 'Leaderboard' };

const LEADERBOARD_QUERY = graphql(`
  query LeaderboardPage {
    leaderboard {
      ...LeaderboardFields
    }
  }
`);

/** Test BLEU-4 as measured here when an evaluation ran, else as training reported it. */
function testBleu4(entry: LeaderboardEntry): number | null {
  const measured = entry.bleu.find((b) => b.split === 'TEST')?.bleu[3];
  const trained = entry.model.trainingMetrics.find((m) => m.split === 'TEST')?.bleu[3];
  return measured ?? trained ?? null;
}

/** Test CIDEr-D as measured here when an evaluation measured it, else as training reported it. */
function testCider(entry: LeaderboardEntry): number | null {
  const measured = entry.bleu.find((b) => b.split === 'TEST')?.cider;
  const trained = entry.model.trainingMetrics.find((m) => m.split === 'TEST')?.cider;
  return measured ?? trained ?? null;
}

function formatStrength(entry: LeaderboardEntry): string {
  const { strength, low, high } = entry.preference;
  if (low === null || high === null) return '—';
  const signed = (v: number) => (v > 0 ? `+${v.toFixed(2)}` : v.toFixed(2));
  return `${signed(strength)} [${signed(low)}, ${signed(high)}]`;
}

export default async function LeaderboardPage() {
  let board: Leaderboard;
  try {
    board = (await serverQuery(LEADERBOARD_QUERY)).leaderboard;
  } catch (error) {
    return <ServiceError error={error} />;
  }
  const { entries } = board;
  const strengthSpan = Math.max(
    1,
    ...entries.flatMap((e) => [Math.abs(e.preference.low ?? 0), Math.abs(e.preference.high ?? 0)]),
  );
  const span = Math.ceil(strengthSpan);
  return (
    <>
      <div className="page-heading">
        <h1>Leaderboard</h1>
        <p className="muted">
          {board.ratingCount} rating{board.ratingCount === 1 ? '' : 's'} and {board.preferenceCount} blind comparison
          {board.preferenceCount === 1 ? '' : 's'} so far.{' '}
          <Link href="/compare" className="text-link">
            Add yours
          </Link>
          .
        </p>
      </div>

      <section className="panel rank-explainer" aria-labelledby="rank-heading">
        <h2 id="rank-heading">How the rank is computed</h2>
        <p className="muted small">
          Blind votes alone decide the rank, as in the LMSYS Chatbot Arena. A Bradley–Terry model turns the votes into a
          strength per model with a 95% interval (ties count half a win each way). A model’s rank is 1 plus the number
          of models whose interval lies wholly above its own, so models the votes cannot yet tell apart share a rank. A
          model without blind votes is not ranked (“not enough votes”). Mean stars and BLEU-4 are shown beside it but do
          not change the rank.
        </p>
        {board.preferenceCount === 0 ? (
          <p className="notice" role="status">
            No blind comparisons yet, so no model is ranked.{' '}
            <Link href="/compare" className="text-link">
              Compare two captions
            </Link>{' '}
            to start the ranking.
          </p>
        ) : null}
      </section>

      <ol className="podium" aria-label="Ranking">
        {entries.map((entry) => (
          <li
            key={entry.model.id}
            className={`podium-card podium-${entry.model.variant.toLowerCase()}`}
            data-rank={entry.rank ?? 'none'}
          >
            {entry.rank === null ? (
              <span className="podium-rank podium-unranked" aria-label="Not ranked: not enough votes">
                –
              </span>
            ) : (
              <span className="podium-rank" aria-label={`Rank ${entry.rank}`}>
                {entry.rank}
              </span>
            )}
            <div>
              <ModelBadge variant={entry.model.variant} modelId={entry.model.id} />
              <p className="podium-name">{modelLongName(entry.model.variant)}</p>
              <p className="muted small">
                {entry.model.id}
                {entry.model.loaded ? '' : ' · not loaded'}
              </p>
              {entry.rank === null ? <p className="podium-note">Not enough votes</p> : null}
            </div>
            <dl className="podium-stats">
              <div>
                <dt>Strength (95%)</dt>
                <dd className="podium-strength">{formatStrength(entry)}</dd>
              </div>
              <div>
                <dt>Head to head</dt>
                <dd>
                  {entry.preference.wins}–{entry.preference.losses}
                  <span className="muted small"> ({entry.preference.ties} ties)</span>
                </dd>
              </div>
              <div>
                <dt>Mean rating</dt>
                <dd>
                  {formatStars(entry.rating.mean)}
                  <span className="muted small"> / 5</span>
                </dd>
              </div>
              <div>
                <dt>BLEU-4 (test)</dt>
                <dd>{formatBleu(testBleu4(entry))}</dd>
              </div>
              <div>
                <dt>CIDEr-D (test)</dt>
                <dd>{formatMetric(testCider(entry))}</dd>
              </div>
            </dl>
          </li>
        ))}
      </ol>

      <div className="chart-pair">
        <section className="panel" aria-labelledby="rating-heading">
          <h2 id="rating-heading">Mean rating</h2>
          <p className="muted small">Stars per caption, with 95% confidence interval.</p>
          <IntervalChart
            title="Mean star rating per model with 95% interval"
            rows={entries.map((e) => ({
              label: e.model.id,
              variant: e.model.variant,
              value: e.rating.mean,
              low: e.rating.low,
              high: e.rating.high,
              note: `${e.rating.count} rating${e.rating.count === 1 ? '' : 's'}`,
            }))}
            min={1}
            max={5}
            ticks={[1, 2, 3, 4, 5]}
            format={(v) => `${v}★`}
          />
        </section>
        <section className="panel" aria-labelledby="preference-heading">
          <h2 id="preference-heading">Preference strength</h2>
          <p className="muted small">Bradley–Terry log-strength from blind votes (0 = no preference), 95% interval.</p>
          <IntervalChart
            title="Bradley–Terry preference strength per model with 95% interval"
            rows={entries.map((e) => ({
              label: e.model.id,
              variant: e.model.variant,
              value: e.preference.comparisons > 0 ? e.preference.strength : null,
              low: e.preference.low,
              high: e.preference.high,
              note: `${e.preference.comparisons} vote${e.preference.comparisons === 1 ? '' : 's'}`,
            }))}
            min={-span}
            max={span}
            ticks={[-span, -span / 2, 0, span / 2, span]}
            format={(v) => (v > 0 ? `+${v}` : String(v))}
            reference={0}
          />
        </section>
      </div>

      <section className="panel" aria-labelledby="bleu-heading">
        <h2 id="bleu-heading">BLEU, CIDEr-D and ROUGE-L</h2>
        <p className="muted small">
          Corpus BLEU, CIDEr-D and ROUGE-L (×100). First row: as reported by training at export. “Measured here”: the
          latest evaluation run in this service.{' '}
          <Link href="/evaluations" className="text-link">
            Run an evaluation
          </Link>
          .
        </p>
        <BleuTable entries={entries} />
      </section>

      <section className="panel" aria-labelledby="scatter-heading">
        <h2 id="scatter-heading">Which metric agrees with people here?</h2>
        <p className="muted small">
          Each dot is a rated caption that has references: its sentence BLEU-4 against its mean stars. Spearman’s ρ of
          each metric (sentence BLEU-4, ROUGE-L, CIDEr-D) with the mean stars: near 1, the metric ranks captions the way
          this community does.
        </p>
        <div className="scatter-layout">
          <BleuRatingScatter entries={entries} />
          <CorrelationList board={board} />
        </div>
      </section>
    </>
  );
}
