'use client';
// Re-renders the server page every few seconds while captions are still being made, then stops.
import { useRouter } from 'next/navigation';
import { useEffect } from 'react';

export function RefreshWhilePending({ pending, intervalMs = 1500 }: { pending: boolean; intervalMs?: number }) {
  const router = useRouter();
  useEffect(() => {
    if (!pending) return;
    const timer = setInterval(() => router.refresh(), intervalMs);
    return () => clearInterval(timer);
  }, [pending, intervalMs, router]);
  return null;
}
