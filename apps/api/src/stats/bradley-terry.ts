// Bradley–Terry strengths from pairwise preferences, with 95% Wald intervals.
// Ties count half a win each way. A weak prior (half a win each way for every pair of players) keeps
// strengths finite when one player always wins and connects players that never met.
// Only players with at least one comparison take part in the fit: one without votes carries no information,
// and through the centring it would only widen everyone else's interval (and so change their arena rank).

/** Outcomes between two players: a beat b `winsA` times, b beat a `winsB` times, `ties` draws. */
export interface PairCounts {
  a: string;
  b: string;
  winsA: number;
  winsB: number;
  ties: number;
}

export interface Strength {
  player: string;
  /** Log-strength, centred so that the strengths of players with comparisons sum to 0; 0 for the others. */
  strength: number;
  low: number | null;
  high: number | null;
  wins: number;
  losses: number;
  ties: number;
  comparisons: number;
}

const priorWins = 0.5;
const z975 = 1.959963984540054;

/** Inverts a small dense symmetric positive definite matrix (Gauss–Jordan with partial pivoting). */
function invert(m: number[][]): number[][] {
  const n = m.length;
  const a = m.map((row, i) => [...row, ...Array.from({ length: n }, (_, j) => (i === j ? 1 : 0))]);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(a[r]![col]!) > Math.abs(a[pivot]![col]!)) pivot = r;
    [a[col], a[pivot]] = [a[pivot]!, a[col]!];
    const p = a[col]![col]!;
    for (let c = 0; c < 2 * n; c++) a[col]![c]! /= p;
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const f = a[r]![col]!;
      if (f !== 0) for (let c = 0; c < 2 * n; c++) a[r]![c]! -= f * a[col]![c]!;
    }
  }
  return a.map((row) => row.slice(n));
}

export function bradleyTerry(players: readonly string[], pairs: readonly PairCounts[]): Strength[] {
  const tally = new Map(players.map((p) => [p, { wins: 0, losses: 0, ties: 0 }]));
  for (const pair of pairs) {
    const a = tally.get(pair.a);
    const b = tally.get(pair.b);
    if (!a || !b || pair.a === pair.b) continue;
    a.wins += pair.winsA;
    a.losses += pair.winsB;
    b.wins += pair.winsB;
    b.losses += pair.winsA;
    a.ties += pair.ties;
    b.ties += pair.ties;
  }
  const comparisons = (p: string) => {
    const t = tally.get(p)!;
    return t.wins + t.losses + t.ties;
  };
  const fitted = fit(
    players.filter((p) => comparisons(p) > 0),
    pairs,
  );
  return players.map((player) => {
    const estimate = fitted.get(player);
    return {
      player,
      strength: estimate?.strength ?? 0,
      low: estimate?.low ?? null,
      high: estimate?.high ?? null,
      ...tally.get(player)!,
      comparisons: comparisons(player),
    };
  });
}

/** Maximum-likelihood strengths and Wald intervals of `players`, all of whom have comparisons. */
function fit(
  players: readonly string[],
  pairs: readonly PairCounts[],
): Map<string, { strength: number; low: number | null; high: number | null }> {
  const k = players.length;
  if (k === 0) return new Map();
  const index = new Map(players.map((p, i) => [p, i]));
  const wins = Array.from({ length: k }, () => new Array<number>(k).fill(0)); // wins[i][j]: i beat j
  for (const pair of pairs) {
    const i = index.get(pair.a);
    const j = index.get(pair.b);
    if (i === undefined || j === undefined || i === j) continue;
    wins[i]![j]! += pair.winsA + pair.ties / 2;
    wins[j]![i]! += pair.winsB + pair.ties / 2;
  }
  for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) if (i !== j) wins[i]![j]! += priorWins;

  const games = (i: number, j: number) => wins[i]![j]! + wins[j]![i]!;
  // Hunter's MM iterations on p = exp(strength); converges for connected comparison graphs (the prior connects all).
  let p = new Array<number>(k).fill(1);
  for (let iter = 0; iter < 10_000; iter++) {
    const next = p.map((pi, i) => {
      let w = 0;
      let denom = 0;
      for (let j = 0; j < k; j++) {
        if (j === i) continue;
        w += wins[i]![j]!;
        denom += games(i, j) / (pi + p[j]!);
      }
      return denom > 0 ? w / denom : pi;
    });
    const geo = Math.exp(next.reduce((s, v) => s + Math.log(v), 0) / k);
    const normalised = next.map((v) => v / geo);
    const change = Math.max(...normalised.map((v, i) => Math.abs(Math.log(v) - Math.log(p[i]!))));
    p = normalised;
    if (change < 1e-12) break;
  }
  const theta = p.map((v) => Math.log(v));

  // Fisher information of theta (a graph Laplacian, null space = constant shifts). The covariance of the
  // sum-zero-centred strengths is its pseudo-inverse: (I + J/k)^-1 - J/k.
  let covariance: number[][] | null = null;
  if (k >= 2) {
    const info = Array.from({ length: k }, () => new Array<number>(k).fill(0));
    for (let i = 0; i < k; i++) {
      for (let j = 0; j < k; j++) {
        if (i === j) continue;
        const v = (games(i, j) * p[i]! * p[j]!) / (p[i]! + p[j]!) ** 2;
        info[i]![j]! -= v;
        info[i]![i]! += v;
      }
    }
    const shifted = info.map((row) => row.map((v) => v + 1 / k));
    covariance = invert(shifted).map((row) => row.map((v) => v - 1 / k));
  }

  return new Map(
    players.map((player, i) => {
      const se = covariance ? Math.sqrt(Math.max(0, covariance[i]![i]!)) : null;
      return [
        player,
        {
          strength: theta[i]!,
          low: se === null ? null : theta[i]! - z975 * se,
          high: se === null ? null : theta[i]! + z975 * se,
        },
      ];
    }),
  );
}
