'use client';
// 1–5 stars for one caption, as a radio group (arrow keys work), saved for this visitor as soon as it is picked.
import { STARS } from '@captioner/db/limits';
import { useId, useState } from 'react';
import { graphql } from '@/generated';
import { clientQuery } from '@/lib/client-graphql';
import type { RatingSummary } from '@/lib/fragments';
import { formatStars } from '@/lib/format';

const RATE = graphql(`
  mutation Rate($input: RateCaptionInput!) {
    rateCaption(input: $input) {
      caption {
        id
        myRating
        ratings {
          count
          mean
          histogram
        }
      }
    }
  }
`);

interface Props {
  captionId: string;
  label: string;
  myRating: number | null;
  ratings: RatingSummary;
}

const STAR_CHOICES = Array.from({ length: STARS.max - STARS.min + 1 }, (_, i) => STARS.min + i);

type Status = { kind: 'idle' } | { kind: 'saving' } | { kind: 'saved' } | { kind: 'error'; message: string };

export function StarRating({ captionId, label, myRating, ratings }: Props) {
  const name = useId();
  const [mine, setMine] = useState(myRating);
  const [summary, setSummary] = useState(ratings);
  const [hover, setHover] = useState<number | null>(null);
  const [status, setStatus] = useState<Status>({ kind: 'idle' });

  async function rate(stars: number) {
    const previous = mine;
    setMine(stars);
    setStatus({ kind: 'saving' });
    try {
      const data = await clientQuery(RATE, { input: { captionId, stars } });
      setMine(data.rateCaption.caption.myRating);
      setSummary(data.rateCaption.caption.ratings);
      setStatus({ kind: 'saved' });
    } catch (error) {
      setMine(previous);
      setStatus({ kind: 'error', message: (error as Error).message });
    }
  }

  const shown = hover ?? mine ?? 0;
  return (
    <div className="star-rating">
      <fieldset className="stars" onMouseLeave={() => setHover(null)}>
        <legend className="visually-hidden">{label}</legend>
        {STAR_CHOICES.map((stars) => (
          <label key={stars} className="star" data-on={stars <= shown} onMouseEnter={() => setHover(stars)}>
            <input
              type="radio"
              name={name}
              value={stars}
              checked={mine === stars}
              onChange={() => void rate(stars)}
              className="visually-hidden"
            />
            <span aria-hidden="true">★</span>
            <span className="visually-hidden">{stars === 1 ? '1 star' : `${stars} stars`}</span>
          </label>
        ))}
      </fieldset>
      <p className="star-summary" aria-live="polite">
        {status.kind === 'error' ? (
          <span className="error-text">Not saved: {status.message}</span>
        ) : (
          <>
            {summary.count === 0
              ? 'No ratings yet'
              : `${formatStars(summary.mean)} mean · ${summary.count} rating${summary.count === 1 ? '' : 's'}`}
            {status.kind === 'saving' && ' · saving…'}
            {status.kind === 'saved' && ' · saved'}
          </>
        )}
      </p>
    </div>
  );
}
