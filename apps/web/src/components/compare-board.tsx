'use client';
// Blind A/B: one image, two captions from different models in random order. Vote with a click or the A, B and
// T keys; the model names appear after the vote; N or Enter moves to the next image.
import Link from 'next/link';
import { useCallback, useEffect, useState } from 'react';
import { graphql } from '@/generated';
import { clientQuery } from '@/lib/client-graphql';
import type { Comparison, PreferenceWinner } from '@/lib/fragments';
import { modelLabel } from '@/lib/format';
import { ModelBadge } from './model-badge';

const NEXT_COMPARISON = graphql(`
  query NextComparison {
    nextComparison {
      ...ComparisonFields
    }
  }
`);

const RECORD = graphql(`
  mutation Prefer($input: RecordPreferenceInput!) {
    recordPreference(input: $input) {
      preference {
        id
        winner
      }
    }
  }
`);

type State =
  | { kind: 'loading' }
  | { kind: 'done' }
  | { kind: 'error'; message: string }
  | { kind: 'voting'; comparison: Comparison; saving: boolean; error?: string }
  | { kind: 'revealed'; comparison: Comparison; winner: PreferenceWinner };

const KEY_TO_WINNER: Record<string, PreferenceWinner> = { a: 'A', b: 'B', t: 'TIE' };

export function CompareBoard() {
  const [state, setState] = useState<State>({ kind: 'loading' });
  const [votes, setVotes] = useState(0);

  const next = useCallback(async () => {
    setState({ kind: 'loading' });
    try {
      const data = await clientQuery(NEXT_COMPARISON);
      setState(
        data.nextComparison ? { kind: 'voting', comparison: data.nextComparison, saving: false } : { kind: 'done' },
      );
    } catch (error) {
      setState({ kind: 'error', message: (error as Error).message });
    }
  }, []);

  const vote = useCallback(
    async (winner: PreferenceWinner) => {
      if (state.kind !== 'voting' || state.saving) return;
      const { comparison } = state;
      setState({ ...state, saving: true });
      try {
        await clientQuery(RECORD, {
          input: {
            imageId: comparison.image.id,
            captionAId: comparison.captionA.id,
            captionBId: comparison.captionB.id,
            winner,
          },
        });
        setVotes((count) => count + 1);
        setState({ kind: 'revealed', comparison, winner });
      } catch (error) {
        setState({ kind: 'voting', comparison, saving: false, error: (error as Error).message });
      }
    },
    [state],
  );

  useEffect(() => {
    void next();
  }, [next]);

  useEffect(() => {
    function onKey(event: KeyboardEvent) {
      if (event.metaKey || event.ctrlKey || event.altKey) return;
      if (event.target instanceof HTMLElement && event.target.closest('input, textarea, select')) return;
      const key = event.key.toLowerCase();
      if (state.kind === 'voting' && KEY_TO_WINNER[key]) {
        event.preventDefault();
        void vote(KEY_TO_WINNER[key]);
      } else if (state.kind === 'revealed' && (key === 'n' || key === 'enter')) {
        event.preventDefault();
        void next();
      }
    }
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [state, vote, next]);

  if (state.kind === 'loading')
    return (
      <p className="compare-loading" role="status">
        Finding an image…
      </p>
    );
  if (state.kind === 'error') {
    return (
      <div className="empty-state" role="alert">
        <p>{state.message}</p>
        <button type="button" className="button" onClick={() => void next()}>
          Try again
        </button>
      </div>
    );
  }
  if (state.kind === 'done') {
    return (
      <div className="empty-state">
        <h2>{votes > 0 ? 'You have judged every pair' : 'Nothing to compare yet'}</h2>
        <p>
          {votes > 0
            ? `Thank you — ${votes} vote${votes === 1 ? '' : 's'} this session. See how the models stand.`
            : 'A comparison needs an image captioned by two different models that you have not judged yet.'}
        </p>
        <Link className="button" href="/leaderboard">
          Open the leaderboard
        </Link>
      </div>
    );
  }

  const { comparison } = state;
  const revealed = state.kind === 'revealed';
  const winner = revealed ? state.winner : null;
  return (
    <div className="compare">
      <div className="compare-image" style={{ aspectRatio: `${comparison.image.width} / ${comparison.image.height}` }}>
        <img
          src={comparison.image.originalUrl}
          alt="The image to describe (its captions are the two choices below)"
          width={comparison.image.width}
          height={comparison.image.height}
        />
      </div>
      <div className="compare-side">
        <p className="muted">Which caption describes the image better?</p>
        <div className="compare-choices">
          {(['A', 'B'] as const).map((side) => {
            const caption = side === 'A' ? comparison.captionA : comparison.captionB;
            return (
              <button
                key={side}
                type="button"
                className="choice"
                data-winner={winner === side}
                disabled={revealed || (state.kind === 'voting' && state.saving)}
                onClick={() => void vote(side)}
                aria-keyshortcuts={side}
              >
                <span className="choice-key" aria-hidden="true">
                  {side}
                </span>
                <span className="choice-text">{caption.text}</span>
                {revealed ? (
                  <span className="choice-model">
                    <ModelBadge variant={caption.model.variant} modelId={caption.model.id} /> {caption.model.id}
                  </span>
                ) : (
                  <span className="visually-hidden">Caption {side}</span>
                )}
              </button>
            );
          })}
        </div>
        {!revealed ? (
          <div className="compare-actions">
            <button
              type="button"
              className="button button-quiet"
              onClick={() => void vote('TIE')}
              disabled={state.saving}
              aria-keyshortcuts="T"
            >
              About the same <kbd>T</kbd>
            </button>
            <span className="muted small">
              Keys: <kbd>A</kbd> <kbd>B</kbd> <kbd>T</kbd>
            </span>
          </div>
        ) : (
          <div className="compare-result" role="status">
            <p>
              {winner === 'TIE'
                ? 'You called it a tie.'
                : `You preferred ${modelLabel((winner === 'A' ? comparison.captionA : comparison.captionB).model.variant)}.`}{' '}
              <span className="muted">
                {votes} vote{votes === 1 ? '' : 's'} this session.
              </span>
            </p>
            <button type="button" className="button" onClick={() => void next()} autoFocus aria-keyshortcuts="N">
              Next image <kbd>N</kbd>
            </button>
          </div>
        )}
        {state.kind === 'voting' && state.error && (
          <p className="error-text" role="alert">
            Vote not saved: {state.error}
          </p>
        )}
      </div>
    </div>
  );
}
