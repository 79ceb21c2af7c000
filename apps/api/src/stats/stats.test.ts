import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bradleyTerry } from './bradley-terry.js';
import { meanInterval, tQuantile975 } from './mean-interval.js';
import { averageRanks, spearman } from './spearman.js';

test('average ranks share the mean position among ties', () => {
  assert.deepEqual(averageRanks([10, 20, 20, 5]), [2, 3.5, 3.5, 1]);
});

test('spearman is 1 for any increasing relation and -1 for decreasing', () => {
  assert.equal(spearman([1, 2, 3, 4], [1, 8, 27, 64]), 1);
  assert.equal(spearman([1, 2, 3, 4], [9, 7, 3, 1]), -1);
});

test('spearman matches the textbook value with ties (scipy.stats.spearmanr)', () => {
  // scipy.stats.spearmanr([1,2,2,3,4],[2,1,3,3,5]).statistic == 0.7631578947368421
  const rho = spearman([1, 2, 2, 3, 4], [2, 1, 3, 3, 5]);
  assert.ok(rho !== null && Math.abs(rho - 0.7631578947368421) < 1e-12, String(rho));
});

test('spearman is null for fewer than 3 pairs or a constant side', () => {
  assert.equal(spearman([1, 2], [1, 2]), null);
  assert.equal(spearman([1, 2, 3], [4, 4, 4]), null);
});

test('t quantile agrees with tables at small and large degrees of freedom', () => {
  assert.equal(tQuantile975(1), 12.706);
  assert.ok(Math.abs(tQuantile975(60) - 2.0003) < 1e-3);
  assert.ok(Math.abs(tQuantile975(120) - 1.9799) < 1e-3);
});

test('mean interval from sufficient statistics', () => {
  const stars = [4, 5, 3, 4];
  const variance = stars.reduce((s, v) => s + (v - 4) ** 2, 0) / (stars.length - 1);
  const r = meanInterval(stars.length, 4, variance);
  assert.equal(r.mean, 4);
  // sd = sqrt(2/3), se = sd/2, t(3) = 3.182
  const half = (3.182 * Math.sqrt(2 / 3)) / 2;
  assert.ok(Math.abs(r.low! - (4 - half)) < 1e-12 && Math.abs(r.high! - (4 + half)) < 1e-12);
  assert.deepEqual(meanInterval(1, 5, null), { count: 1, mean: 5, low: null, high: null });
  assert.deepEqual(meanInterval(0, null, null), { count: 0, mean: null, low: null, high: null });
});

test('bradley-terry: the model that wins more is stronger, strengths sum to 0, interval contains it', () => {
  const [x, y] = bradleyTerry(['x', 'y'], [{ a: 'y', b: 'x', winsA: 10, winsB: 30, ties: 0 }]);
  assert.ok(x!.strength > 0 && y!.strength < 0);
  assert.ok(Math.abs(x!.strength + y!.strength) < 1e-9);
  // Two players: with the prior, p(x beats y) = 30.5 / 41 exactly, so the strength gap is its logit.
  const gap = Math.log(30.5 / 10.5);
  assert.ok(Math.abs(x!.strength - y!.strength - gap) < 1e-9);
  // Var(gap) = 1 / (n p (1-p)); each strength is half the gap.
  const pr = 30.5 / 41;
  const se = Math.sqrt(1 / (41 * pr * (1 - pr))) / 2;
  assert.ok(Math.abs(x!.high! - x!.strength - 1.959963984540054 * se) < 1e-9);
  assert.equal(x!.wins, 30);
  assert.equal(x!.losses, 10);
});

test('bradley-terry: ties split evenly and an unbeaten model stays finite', () => {
  const [a, b] = bradleyTerry(['a', 'b'], [{ a: 'a', b: 'b', winsA: 0, winsB: 0, ties: 1 }]);
  assert.ok(Math.abs(a!.strength) < 1e-12 && Math.abs(b!.strength) < 1e-12);
  const [w] = bradleyTerry(['w', 'l'], [{ a: 'w', b: 'l', winsA: 5, winsB: 0, ties: 0 }]);
  assert.ok(Number.isFinite(w!.strength) && w!.strength > 0);
  const [lonely] = bradleyTerry(['solo', 'other'], []);
  assert.equal(lonely!.low, null);
  assert.equal(lonely!.comparisons, 0);
});

test('bradley-terry with three players ranks them by results and centres strengths', () => {
  const result = bradleyTerry(
    ['a', 'b', 'c'],
    [
      { a: 'a', b: 'b', winsA: 8, winsB: 2, ties: 0 },
      { a: 'b', b: 'c', winsA: 7, winsB: 3, ties: 0 },
      { a: 'a', b: 'c', winsA: 9, winsB: 1, ties: 0 },
    ],
  );
  const [a, b, c] = result;
  assert.ok(a!.strength > b!.strength && b!.strength > c!.strength);
  assert.ok(Math.abs(a!.strength + b!.strength + c!.strength) < 1e-9);
  for (const s of result) assert.ok(s.low! < s.strength && s.strength < s.high!);
  assert.equal(a!.comparisons, 20);
});
