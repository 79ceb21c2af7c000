'use client';
// Re-renders the server page every few seconds while captions are still being made, then stops. Gives up after
// `maxRefreshes` so a model that failed on this image does not keep the page polling forever.
import { useRouter } from 'next/navigation';
import { useEffect, useRef } from 'react';

interface Props {
  pending: boolean;
  intervalMs?: number;
  maxRefreshes?: number;
}

export function RefreshWhilePending({ pending, intervalMs = 1500, maxRefreshes = 40 }: Props) {
  const router = useRouter();
  const count = useRef(0);
  useEffect(() => {
    if (!pending) return;
    const timer = setInterval(() => {
      if (count.current >= maxRefreshes) return clearInterval(timer);
      count.current += 1;
      router.refresh();
    }, intervalMs);
    return () => clearInterval(timer);
  }, [pending, intervalMs, maxRefreshes, router]);
  return null;
}
