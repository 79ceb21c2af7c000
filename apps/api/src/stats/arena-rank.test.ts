import assert from 'node:assert/strict';
import { test } from 'node:test';
import { arenaRanks } from './arena-rank.js';
import { bradleyTerry, type PairCounts } from './bradley-terry.js';

/** Arena ranks of `players` after the given votes, by player. */
function ranksAfter(players: string[], pairs: PairCounts[]): Record<string, number | null> {
  const strengths = bradleyTerry(players, pairs);
  const ranks = arenaRanks(strengths);
  return Object.fromEntries(players.map((p, i) => [p, ranks[i]!]));
}

const games = (a: string, b: string, winsA: number, winsB: number, ties = 0): PairCounts => ({
  a,
  b,
  winsA,
  winsB,
  ties,
});

test('arena rank counts only the intervals wholly above, so overlapping ones share a rank', () => {
  const ranks = arenaRanks([
    { low: 0, high: 1 },
    { low: 0.5, high: 2 },
    { low: 3, high: 4 },
    { low: 1, high: 1.5 }, // touches [0, 1]: not wholly above it
  ]);
  assert.deepEqual(ranks, [2, 2, 1, 2]);
});

test('arena rank: a missing interval gets no rank and does not push others down', () => {
  assert.deepEqual(
    arenaRanks([
      { low: null, high: null },
      { low: -1, high: 0 },
    ]),
    [null, 1],
  );
});

test('models that only ever tie share first place', () => {
  const ranks = ranksAfter(
    ['a', 'b', 'c'],
    [games('a', 'b', 0, 0, 10), games('b', 'c', 0, 0, 10), games('a', 'c', 3, 3, 4)],
  );
  assert.deepEqual(ranks, { a: 1, b: 1, c: 1 });
});

test('a sweep: the model that beats every other is first, the rest (even among themselves) share second', () => {
  const ranks = ranksAfter(
    ['a', 'champ', 'b', 'c'],
    [
      games('champ', 'a', 20, 0),
      games('b', 'champ', 0, 20),
      games('champ', 'c', 20, 0),
      games('a', 'b', 5, 5),
      games('b', 'c', 5, 5),
      games('a', 'c', 5, 5),
    ],
  );
  assert.deepEqual(ranks, { a: 2, champ: 1, b: 2, c: 2 });
});

test('close models share a rank while a clearly weaker one ranks below both of them', () => {
  const pairs = [games('a', 'b', 12, 8), games('a', 'c', 19, 1), games('b', 'c', 18, 2)];
  const strengths = bradleyTerry(['a', 'b', 'c'], pairs);
  const [a, b] = strengths;
  assert.ok(a!.strength > b!.strength, 'a is ahead on the point estimate');
  assert.ok(b!.high! > a!.low!, 'but their intervals overlap');
  // c's rank is 3, not 2: two models lie wholly above it (ranks may skip, as in the arena).
  assert.deepEqual(ranksAfter(['a', 'b', 'c'], pairs), { a: 1, b: 1, c: 3 });
});

test('a model with no votes is not ranked, and its presence leaves the others as they were', () => {
  const pairs = [games('a', 'b', 12, 8), games('a', 'c', 19, 1), games('b', 'c', 18, 2)];
  assert.deepEqual(ranksAfter(['a', 'b', 'c', 'newcomer'], pairs), { a: 1, b: 1, c: 3, newcomer: null });
  const without = bradleyTerry(['a', 'b', 'c'], pairs);
  const withNewcomer = bradleyTerry(['a', 'b', 'c', 'newcomer'], pairs);
  for (const [i, s] of without.entries()) {
    const t = withNewcomer[i]!;
    assert.ok(Math.abs(s.strength - t.strength) < 1e-9 && Math.abs(s.low! - t.low!) < 1e-9, s.player);
  }
  assert.deepEqual(
    { strength: withNewcomer[3]!.strength, low: withNewcomer[3]!.low, comparisons: withNewcomer[3]!.comparisons },
    { strength: 0, low: null, comparisons: 0 },
  );
});

test('with no votes at all nobody is ranked', () => {
  assert.deepEqual(ranksAfter(['a', 'b', 'c'], []), { a: null, b: null, c: null });
});
