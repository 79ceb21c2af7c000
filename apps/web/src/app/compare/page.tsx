// Compare: the blind pairwise judgement that feeds the leaderboard's preference strength.
import type { Metadata } from 'next';
import { CompareBoard } from '@/components/compare-board';

export const metadata: Metadata = { title: 'Compare' };

export default function ComparePage() {
  return (
    <>
      <div className="page-heading">
        <h1>Compare blind</h1>
        <p className="muted">
          Two captions, models hidden, order shuffled. Pick the better one; we reveal who wrote it.
        </p>
      </div>
      <CompareBoard />
    </>
  );
}
