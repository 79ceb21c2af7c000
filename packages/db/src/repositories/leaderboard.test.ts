// Leaderboard aggregates: rating stats, preference pair counts, BLEU-rating points, totals.
import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import type { Database } from '../open-database.js';
import { describeRepository, unique } from '../test-fixture.js';
import { addCaption, addImage, addModel } from '../test-support.js';

describeRepository('leaderboard', (database) => {
  let db: Database;
  before(() => {
    db = database();
  });

  it('aggregates ratings, preferences and BLEU-rating pairs per model', async () => {
    const [m1, m2] = [await addModel(db, unique('lb-a')), await addModel(db, unique('lb-b'), 'attention')];
    const captionPairs = [];
    for (let index = 0; index < 3; index++) {
      const image = await addImage(db);
      captionPairs.push([
        await addCaption(db, image.id, m1.id, { sentenceBleu: 0.2 * (index + 1) }),
        await addCaption(db, image.id, m2.id, { sentenceBleu: null }),
      ] as const);
    }
    const [p0, p1, p2] = captionPairs as [(typeof captionPairs)[0], (typeof captionPairs)[0], (typeof captionPairs)[0]];
    await db.ratings.rate({ captionId: p0[0].id, voterId: 'x', stars: 1 });
    await db.ratings.rate({ captionId: p1[0].id, voterId: 'x', stars: 3 });
    await db.ratings.rate({ captionId: p1[0].id, voterId: 'y', stars: 5 });
    await db.ratings.rate({ captionId: p2[1].id, voterId: 'x', stars: 4 });
    const vote = (pair: typeof p0, winner: 'A' | 'B' | 'TIE', voterId: string, flipOrder = false) =>
      db.preferences.record({
        imageId: pair[0].imageId,
        captionAId: flipOrder ? pair[1].id : pair[0].id,
        captionBId: flipOrder ? pair[0].id : pair[1].id,
        winner,
        voterId,
      });
    await vote(p0, 'A', 'x'); // m1 wins
    await vote(p1, 'A', 'x', true); // m2 wins (shown as A)
    await vote(p2, 'B', 'x', true); // m1 wins (shown as B)
    await vote(p2, 'TIE', 'y');

    const stats = (await db.leaderboard.ratingStats()).filter((row) => row.modelId === m1.id || row.modelId === m2.id);
    assert.deepEqual(
      stats,
      [
        { modelId: m1.id, count: 3, mean: 3, variance: 4 },
        { modelId: m2.id, count: 1, mean: 4, variance: null },
      ].sort((a, b) => a.modelId.localeCompare(b.modelId)),
    );
    const pairs = (await db.leaderboard.preferencePairs()).filter((row) => [m1.id, m2.id].includes(row.modelA));
    const [low] = [m1.id, m2.id].sort();
    const m1Wins = 2;
    assert.deepEqual(pairs, [
      {
        modelA: low,
        modelB: low === m1.id ? m2.id : m1.id,
        winsA: low === m1.id ? m1Wins : 1,
        winsB: low === m1.id ? 1 : m1Wins,
        ties: 1,
      },
    ]);
    const points = (await db.leaderboard.bleuRatingPoints()).filter((row) => row.modelId === m1.id);
    assert.deepEqual(points.map((point) => [point.sentenceBleu, point.meanRating, point.ratingCount]).sort(), [
      [0.2, 1, 1],
      [0.4, 4, 2],
    ]);
    const totals = await db.leaderboard.totals();
    assert.ok(totals.ratingCount >= 4 && totals.preferenceCount >= 4);
    const counts = await db.models.captionCounts();
    assert.equal(counts.get(m1.id), 3);
  });
});
