'use client';
// Re-renders the server page while captions of this image are still being made: at once when one is stored (the
// imageCaptioned subscription), and every few seconds when the live socket fails (slowly while it works, to repair
// anything missed). Gives up after `maxRefreshes` timed refreshes so a model that failed on this image does not
// keep the page refreshing forever.
import { useRouter } from 'next/navigation';
import { useEffect, useRef, useState } from 'react';
import { graphql } from '@/generated';
import { subscribeLive } from '@/lib/live-subscription';

const IMAGE_CAPTIONED = graphql(`
  subscription ImagePageCaptioned($ids: [ID!]!) {
    imageCaptioned(imageIds: $ids) {
      model {
        id
      }
    }
  }
`);

/** While live events arrive, timed refreshes only repair what the socket missed. */
const LIVE_INTERVAL_MS = 10_000;

interface Props {
  imageId: string;
  pending: boolean;
  intervalMs?: number;
  maxRefreshes?: number;
}

export function RefreshWhilePending({ imageId, pending, intervalMs = 1500, maxRefreshes = 40 }: Props) {
  const router = useRouter();
  const count = useRef(0);
  const [live, setLive] = useState(true);
  useEffect(() => {
    if (!pending) return;
    let stopped = false;
    const unsubscribe = live
      ? subscribeLive(
          IMAGE_CAPTIONED,
          { ids: [imageId] },
          {
            next: () => router.refresh(),
            failed: () => {
              if (!stopped) setLive(false);
            },
          },
        )
      : () => undefined;
    const timer = setInterval(
      () => {
        if (count.current >= maxRefreshes) return clearInterval(timer);
        count.current += 1;
        router.refresh();
      },
      live ? LIVE_INTERVAL_MS : intervalMs,
    );
    return () => {
      stopped = true;
      unsubscribe();
      clearInterval(timer);
    };
  }, [imageId, pending, live, intervalMs, maxRefreshes, router]);
  return null;
}
