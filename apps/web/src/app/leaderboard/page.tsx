// Leaderboard: how people rate each model, which one they prefer head to head, BLEU in the seed's layout,
// and whether BLEU agrees with people.
import type { Metadata } from 'next';
import Link from 'next/link';
import { BleuRatingScatter } from '@/components/bleu-rating-scatter';
import { BleuTable } from '@/components/bleu-table';
import { CorrelationList } from '@/components/correlation-list';
import { IntervalChart } from '@/components/interval-chart';
import { ModelBadge } from '@/components/model-badge';
import { ServiceError } from '@/components/service-error';
import { MODEL_INFO_FIELDS } from '@/lib/fragments';
import { formatStars, modelLongName } from '@/lib/format';
import { serverQuery } from '@/lib/server-graphql';
import type { Leaderboard } from '@/lib/types';

export const metadata: Metadata = { title: 'Leaderboard' };

const LEADERBOARD_QUERY = /* GraphQL */ `
  query LeaderboardPage {
    leaderboard {
      preferenceCount
      ratingCount
      bleuRatingCorrelation {
        rho
        n
      }
      entries {
        rank
        model {
          ...ModelInfoFields
        }
        rating {
          count
          mean
          low
          high
        }
        preference {
          strength
          low
          high
          wins
          losses
          ties
          comparisons
        }
        bleu {
          split
          bleu
          run {
            id
            decode {
              beamSize
            }
          }
        }
        bleuRatingCorrelation {
          rho
          n
        }
        bleuRatingPoints {
          captionId
          sentenceBleu
          meanRating
          ratingCount
        }
      }
    }
  }
  ${MODEL_INFO_FIELDS}
`;

export default async function LeaderboardPage() {
  let board: Leaderboard;
  try {
    board = (await serverQuery<{ leaderboard: Leaderboard }>(LEADERBOARD_QUERY)).leaderboard;
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

      <ol className="podium" aria-label="Ranking">
        {entries.map((entry) => (
          <li key={entry.model.id} className={`podium-card podium-${entry.model.variant.toLowerCase()}`}>
            <span className="podium-rank" aria-label={`Rank ${entry.rank}`}>
              {entry.rank}
            </span>
            <div>
              <ModelBadge variant={entry.model.variant} modelId={entry.model.id} />
              <p className="podium-name">{modelLongName(entry.model.variant)}</p>
              <p className="muted small">
                {entry.model.id}
                {entry.model.loaded ? '' : ' · not loaded'}
              </p>
            </div>
            <dl className="podium-stats">
              <div>
                <dt>Mean rating</dt>
                <dd>
                  {formatStars(entry.rating.mean)}
                  <span className="muted small"> / 5</span>
                </dd>
              </div>
              <div>
                <dt>Head to head</dt>
                <dd>
                  {entry.preference.wins}–{entry.preference.losses}
                  <span className="muted small"> ({entry.preference.ties} ties)</span>
                </dd>
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
        <h2 id="bleu-heading">BLEU</h2>
        <p className="muted small">
          Corpus BLEU (×100). First row: as reported by training at export. “Measured here”: the latest evaluation run
          in this service.{' '}
          <Link href="/evaluations" className="text-link">
            Run an evaluation
          </Link>
          .
        </p>
        <BleuTable entries={entries} />
      </section>

      <section className="panel" aria-labelledby="scatter-heading">
        <h2 id="scatter-heading">Does BLEU agree with people?</h2>
        <p className="muted small">
          Each dot is a rated caption that has references: its sentence BLEU-4 against its mean stars. Spearman’s ρ near
          1 means BLEU ranks captions the way people do.
        </p>
        <div className="scatter-layout">
          <BleuRatingScatter entries={entries} />
          <CorrelationList overall={board.bleuRatingCorrelation} entries={entries} />
        </div>
      </section>
    </>
  );
}
