// The repository behaviour suite, run against the embedded server (repositories.test.ts) and against
// an external server through DATABASE_URL (external-server.test.ts): same code, same expectations.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { ConstraintViolationError, InvalidInputError, NotFoundError } from './errors.js';
import type { Database } from './open-database.js';
import { addCaption, addImage, addModel, imageInput, sha256Of } from './test-support.js';
import type { CaptionRecord } from './types.js';

/** The gallery's default order: newest first, ties (same millisecond) by id, descending. */
function newestFirst(...images: { id: string; createdAt: Date }[]): string[] {
  return [...images]
    .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0))
    .map((image) => image.id);
}

const unique = (prefix: string) => `${prefix}-${randomBytes(4).toString('hex')}`;
const MISSING_ID = '00000000-0000-4000-8000-000000000000';

/** An evaluation result with every score equal to `score`. */
const result = (score: number) => ({
  bleu: [score, score, score, score] as const,
  cider: { value: score, version: 'cider-test' },
  rougeL: { value: score, version: 'rouge-test' },
});

/** Runs one statement on a separate raw connection, to show the database itself enforces a rule. */
async function rawSql(db: Database, text: string, params: unknown[] = []) {
  const client = new pg.Client({ connectionString: db.connectionString });
  await client.connect();
  try {
    return await client.query(text, params);
  } finally {
    await client.end();
  }
}

async function countRows(db: Database, table: string, where = 'true', params: unknown[] = []): Promise<number> {
  const { rows } = await rawSql(db, `SELECT count(*)::int AS n FROM ${table} WHERE ${where}`, params);
  return (rows[0] as { n: number }).n;
}

export function repositorySuite(label: string, open: () => Promise<Database>, close: () => Promise<void>) {
  describe(label, () => {
    let db: Database;
    before(async () => {
      db = await open();
    });
    after(async () => {
      await close();
    });

    it('reports healthy', async () => {
      const health = await db.health();
      assert.equal(health.ok, true);
    });

    describe('images', () => {
      it('stores an image once per SHA-256 and reads it back with and without bytes', async () => {
        const input = imageInput({ mime: 'image/jpeg', width: 320, height: 200 });
        const first = await db.images.upsertBySha256(input);
        assert.equal(first.created, true);
        assert.equal(first.image.sha256, sha256Of(input.bytes));
        assert.deepEqual(
          {
            mime: first.image.mime,
            width: first.image.width,
            height: first.image.height,
            byteSize: first.image.byteSize,
          },
          { mime: 'image/jpeg', width: 320, height: 200, byteSize: input.bytes.length },
        );
        assert.ok(first.image.createdAt instanceof Date);
        assert.equal('bytes' in first.image, false);

        const again = await db.images.upsertBySha256({ ...input, filename: 'other-name.jpg' });
        assert.equal(again.created, false);
        assert.equal(again.image.id, first.image.id);
        assert.equal(again.image.filename, input.filename, 'an existing filename is kept');

        const original = await db.images.getOriginal(first.image.id);
        assert.deepEqual(original, { bytes: Buffer.from(input.bytes), mime: 'image/jpeg', sha256: first.image.sha256 });
        const thumbnail = await db.images.getThumbnail(first.image.id);
        assert.deepEqual(thumbnail?.bytes, Buffer.from(input.thumbnail));
        assert.equal(thumbnail?.mime, 'image/webp');
        assert.deepEqual(await db.images.getById(first.image.id), first.image);
        assert.deepEqual(await db.images.getBySha256(first.image.sha256), first.image);
      });

      it('fills in the dataset of an uploaded image when it is later imported', async () => {
        const input = imageInput({ source: 'upload', dataset: null, split: null, filename: null });
        const uploaded = await db.images.upsertBySha256(input);
        assert.equal(uploaded.image.source, 'upload');
        const imported = await db.images.upsertBySha256({
          ...input,
          source: 'dataset',
          dataset: 'shapes',
          split: 'val',
          filename: 'x.png',
        });
        assert.equal(imported.created, false);
        assert.deepEqual(
          [imported.image.source, imported.image.dataset, imported.image.split, imported.image.filename],
          ['dataset', 'shapes', 'val', 'x.png'],
        );
      });

      it('answers null for unknown or malformed ids', async () => {
        assert.equal(await db.images.getById(MISSING_ID), null);
        assert.equal(await db.images.getById('not-a-uuid'), null);
        assert.equal(await db.images.getOriginal('not-a-uuid'), null);
        assert.equal(await db.images.getThumbnail(MISSING_ID), null);
      });

      it('rejects bad image data with the rule that was broken, storing nothing', async () => {
        const before = await countRows(db, 'images');
        await assert.rejects(db.images.upsertBySha256(imageInput({ width: 0 })), (error: unknown) => {
          assert.ok(error instanceof ConstraintViolationError);
          assert.equal(error.constraint, 'images_dimensions_check');
          assert.match(error.message, /width and height must be positive/);
          return true;
        });
        await assert.rejects(
          db.images.upsertBySha256(imageInput({ mime: 'text/plain' })),
          (error: unknown) => error instanceof ConstraintViolationError && error.constraint === 'images_mime_check',
        );
        await assert.rejects(
          db.images.upsertBySha256(imageInput({ split: 'holdout' as never })),
          (error: unknown) => error instanceof ConstraintViolationError && error.constraint === 'images_split_check',
        );
        await assert.rejects(db.images.upsertBySha256(imageInput({ bytes: new Uint8Array() })), InvalidInputError);
        // The database itself refuses a duplicate hash and a malformed one, whoever writes.
        const stored = await addImage(db);
        await assert.rejects(
          rawSql(
            db,
            `INSERT INTO images (sha256, bytes, mime, byte_size, width, height, thumbnail, source)
                      VALUES ($1, '\\x00', 'image/png', 1, 1, 1, '\\x00', 'upload')`,
            [stored.sha256],
          ),
          /images_sha256_key/,
        );
        await assert.rejects(
          rawSql(
            db,
            `INSERT INTO images (sha256, bytes, mime, byte_size, width, height, thumbnail, source)
                      VALUES ('xyz', '\\x00', 'image/png', 1, 1, 1, '\\x00', 'upload')`,
          ),
          /images_sha256_check/,
        );
        assert.equal(await countRows(db, 'images'), before + 1);
      });

      it('lists the ids of a split that have references, for evaluations', async () => {
        const dataset = unique('evalset');
        const withRefs = await addImage(db, { dataset, split: 'val' });
        await addImage(db, { dataset, split: 'val' });
        await addImage(db, { dataset, split: 'test' });
        await db.references.add(withRefs.id, ['a circle']);
        assert.deepEqual(await db.images.listIdsForEvaluation({ dataset, split: 'val' }), [withRefs.id]);
      });
    });

    describe('reference captions', () => {
      it('adds references in order, skipping blanks and ones already stored', async () => {
        const image = await addImage(db);
        assert.equal(await db.references.add(image.id, ['a red circle', '  ', 'a blue square']), 2);
        assert.equal(await db.references.add(image.id, ['a blue square', 'a green triangle']), 1);
        const references = await db.references.listByImage(image.id);
        assert.deepEqual(
          references.map((reference) => [reference.text, reference.position]),
          [
            ['a red circle', 0],
            ['a blue square', 1],
            ['a green triangle', 2],
          ],
        );
        assert.ok(references.every((reference) => reference.imageId === image.id));
      });

      it('lists the references of a dataset split per image, with a version that moves when one is added', async () => {
        const dataset = unique('refcorpus');
        const [first, second] = [
          await addImage(db, { dataset, split: 'test' }),
          await addImage(db, { dataset, split: 'test' }),
        ];
        await addImage(db, { dataset, split: 'test' }); // no references: not a document
        const elsewhere = await addImage(db, { dataset, split: 'val' });
        await db.references.add(first.id, ['a red circle', 'a circle']);
        await db.references.add(second.id, ['a blue square']);
        await db.references.add(elsewhere.id, ['not in the test split']);
        const corpus = await db.references.listBySplit({ dataset, split: 'test' });
        assert.deepEqual(
          [...corpus].sort((a, b) => a.length - b.length),
          [['a blue square'], ['a red circle', 'a circle']],
        );
        const version = await db.references.splitVersion({ dataset, split: 'test' });
        assert.equal(await db.references.splitVersion({ dataset, split: 'test' }), version);
        await db.references.add(second.id, ['a blue square']); // already stored: nothing changes
        assert.equal(await db.references.splitVersion({ dataset, split: 'test' }), version);
        await db.references.add(second.id, ['a square']);
        assert.notEqual(await db.references.splitVersion({ dataset, split: 'test' }), version);
        assert.deepEqual(await db.references.listBySplit({ dataset: unique('none'), split: 'test' }), []);
      });

      it('refuses references of an unknown image', async () => {
        await assert.rejects(db.references.add(MISSING_ID, ['text']), (error: unknown) => {
          assert.ok(error instanceof NotFoundError);
          assert.equal(error.entity, 'image');
          return true;
        });
      });
    });

    describe('models', () => {
      it('registers a model from its manifest and refreshes it', async () => {
        const id = unique('shapes-lstm');
        const model = await addModel(db, id);
        assert.deepEqual([model.id, model.variant, model.dataset, model.format], [id, 'lstm', 'shapes', 1]);
        assert.deepEqual(model.params, { trainable: 1000, frozen: 10, total: 1010 });
        assert.equal((model.manifest as { maxLength: number }).maxLength, 20);
        const changed = await db.models.upsertFromManifest({
          id,
          variant: 'lstm',
          format: 1,
          dataset: { name: 'shapes' },
          metrics: { val: {} },
        });
        assert.deepEqual(changed.metrics, { val: {} });
        assert.deepEqual(await db.models.getById(id), changed);
        assert.ok((await db.models.list()).some((listed) => listed.id === id));
        assert.equal(await db.models.getById('no-such-model'), null);
      });

      it('rejects manifests without the fields the service needs', async () => {
        await assert.rejects(
          db.models.upsertFromManifest({ id: 'x', variant: 'transformer', format: 1, dataset: { name: 'd' } }),
          InvalidInputError,
        );
        await assert.rejects(db.models.upsertFromManifest({ variant: 'lstm' }), InvalidInputError);
        await assert.rejects(db.models.upsertFromManifest([]), InvalidInputError);
        await assert.rejects(
          db.models.upsertFromManifest({ id: 'Bad Id', variant: 'lstm', format: 1, dataset: { name: 'd' } }),
          (error: unknown) => error instanceof ConstraintViolationError && error.constraint === 'models_id_check',
        );
      });
    });

    describe('captions', () => {
      it('stores one caption per image, model and decode settings, and finds it by settings', async () => {
        const model = await addModel(db, unique('cap-model'));
        const image = await addImage(db);
        const saved = await addCaption(db, image.id, model.id, { text: 'a red circle' });
        assert.equal(saved.settingsKey, 'beamSize=3;maxLength=20');
        assert.deepEqual(saved.tokens, ['a', 'red', 'circle']);
        assert.deepEqual(saved.tokenIds, [4, 5, 6]);
        assert.equal(saved.logProb, -3.25);
        assert.equal(saved.sentenceBleu, 0.5);
        assert.deepEqual(saved.nBest, [
          { text: 'a red circle', tokens: ['a', 'red', 'circle'], logProb: -3.25, score: -0.46 },
        ]);

        const found = await db.captions.find({
          imageId: image.id,
          modelId: model.id,
          settings: { maxLength: 20, beamSize: 3 },
        });
        assert.deepEqual(found, saved);
        assert.equal(
          await db.captions.find({ imageId: image.id, modelId: model.id, settings: { beamSize: 1, maxLength: 20 } }),
          null,
        );

        const replaced = await addCaption(db, image.id, model.id, { text: 'a blue square' });
        assert.equal(replaced.id, saved.id, 'same settings replace the caption in place');
        const greedy = await addCaption(db, image.id, model.id, { text: 'a square', beamSize: 1 });
        assert.notEqual(greedy.id, saved.id);
        const listed = await db.captions.listByImage(image.id);
        assert.deepEqual(listed.map((caption) => caption.text).sort(), ['a blue square', 'a square']);
        assert.deepEqual(await db.captions.getById(saved.id), replaced);
        const map = await db.captions.findForImages({
          modelId: model.id,
          settings: { beamSize: 1, maxLength: 20 },
          imageIds: [image.id, MISSING_ID],
        });
        assert.deepEqual([...map.keys()], [image.id]);
        assert.equal((await db.captions.setSentenceBleu(greedy.id, 0.25)).sentenceBleu, 0.25);
      });

      it('keeps attention maps as JSON', async () => {
        const model = await addModel(db, unique('att-model'), 'attention');
        const image = await addImage(db);
        const attention = { rows: 2, cols: 2, steps: [{ word: 'a', weights: [0.1, 0.2, 0.3, 0.4] }] };
        const saved = await db.captions.save({
          imageId: image.id,
          modelId: model.id,
          settings: { beamSize: 1, maxLength: 5 },
          text: 'a',
          tokens: ['a'],
          tokenIds: [4],
          logProb: -0.5,
          nBest: [],
          attention,
          sentenceBleu: null,
          latencyMs: 3,
        });
        assert.deepEqual(saved.attention, attention);
        assert.equal(saved.sentenceBleu, null);
      });

      it('rejects captions that break the rules, storing nothing', async () => {
        const model = await addModel(db, unique('bad-cap'));
        const image = await addImage(db);
        const base = {
          imageId: image.id,
          modelId: model.id,
          settings: { beamSize: 3, maxLength: 20 },
          text: 'a b',
          tokens: ['a', 'b'],
          tokenIds: [4, 5],
          logProb: -1,
          nBest: [],
          latencyMs: 1,
        };
        await assert.rejects(
          db.captions.save({ ...base, tokenIds: [4] }),
          (error: unknown) =>
            error instanceof ConstraintViolationError && error.constraint === 'captions_token_ids_check',
        );
        await assert.rejects(
          db.captions.save({ ...base, sentenceBleu: 1.5 }),
          (error: unknown) =>
            error instanceof ConstraintViolationError && error.constraint === 'captions_sentence_bleu_check',
        );
        await assert.rejects(db.captions.save({ ...base, logProb: 0.5 }), ConstraintViolationError);
        await assert.rejects(db.captions.save({ ...base, latencyMs: Number.NaN }), InvalidInputError);
        await assert.rejects(
          db.captions.save({ ...base, modelId: 'no-such-model' }),
          (error: unknown) =>
            error instanceof NotFoundError && error.entity === 'model' && error.id === 'no-such-model',
        );
        await assert.rejects(
          db.captions.save({ ...base, imageId: MISSING_ID }),
          (error: unknown) => error instanceof NotFoundError && error.entity === 'image',
        );
        await assert.rejects(db.captions.save({ ...base, settings: {} }), InvalidInputError);
        assert.equal(await countRows(db, 'captions', 'image_id = $1', [image.id]), 0);
      });
    });

    describe('ratings', () => {
      it('keeps one rating per voter per caption, the latest one', async () => {
        const model = await addModel(db, unique('rate-model'));
        const caption = await addCaption(db, (await addImage(db)).id, model.id);
        const first = await db.ratings.rate({ captionId: caption.id, voterId: 'voter-1', stars: 2 });
        const second = await db.ratings.rate({ captionId: caption.id, voterId: 'voter-1', stars: 4 });
        assert.equal(second.id, first.id);
        assert.equal(second.stars, 4);
        await db.ratings.rate({ captionId: caption.id, voterId: 'voter-2', stars: 5 });
        assert.deepEqual(await db.ratings.summary(caption.id), { count: 2, mean: 4.5, histogram: [0, 0, 0, 1, 1] });
        assert.equal((await db.ratings.get(caption.id, 'voter-1'))?.stars, 4);
        assert.equal(await db.ratings.get(caption.id, 'voter-3'), null);
      });

      it('saves captions of one image from several models at once without deadlocking', async () => {
        // Each insert holds a key-share lock on the image (foreign key) while the stats trigger locks the
        // image row: a trigger asking for FOR UPDATE deadlocked two models captioning one upload.
        const models = await Promise.all(
          Array.from({ length: 8 }, (_, index) => addModel(db, unique(`deadlock-${index}`))),
        );
        for (let round = 0; round < 20; round++) {
          const image = await addImage(db);
          await Promise.all(
            models.map((model, index) => addCaption(db, image.id, model.id, { sentenceBleu: index / 10 })),
          );
          const imageStats = await db.createLoaders().imageStatsById.load(image.id);
          assert.equal(imageStats?.bestBleu, 0.7);
        }
      });

      it('leaves exactly one row after 50 concurrent ratings by the same voter', async () => {
        const model = await addModel(db, unique('race-model'));
        const caption = await addCaption(db, (await addImage(db)).id, model.id);
        const stars = Array.from({ length: 50 }, (_, index) => (index % 5) + 1);
        const results = await Promise.all(
          stars.map((value) => db.ratings.rate({ captionId: caption.id, voterId: 'racer', stars: value })),
        );
        assert.equal(new Set(results.map((rating) => rating.id)).size, 1);
        assert.equal(await countRows(db, 'ratings', 'caption_id = $1', [caption.id]), 1);
        const stored = await db.ratings.get(caption.id, 'racer');
        assert.ok(stored && stars.includes(stored.stars));
        const imageStats = await db.createLoaders().imageStatsById.load(caption.imageId);
        assert.deepEqual(imageStats, { meanRating: stored.stars, ratingCount: 1, bestBleu: 0.5 });
      });

      it('rejects stars outside 1..5 and unknown captions, changing nothing', async () => {
        const model = await addModel(db, unique('bad-rate'));
        const caption = await addCaption(db, (await addImage(db)).id, model.id);
        for (const stars of [0, 6, -1]) {
          await assert.rejects(db.ratings.rate({ captionId: caption.id, voterId: 'v', stars }), (error: unknown) => {
            assert.ok(error instanceof ConstraintViolationError);
            assert.equal(error.constraint, 'ratings_stars_check');
            assert.match(error.message, /from 1 to 5/);
            return true;
          });
        }
        await assert.rejects(db.ratings.rate({ captionId: caption.id, voterId: 'v', stars: 2.5 }), InvalidInputError);
        await assert.rejects(db.ratings.rate({ captionId: caption.id, voterId: '', stars: 3 }), InvalidInputError);
        await assert.rejects(
          db.ratings.rate({ captionId: MISSING_ID, voterId: 'v', stars: 3 }),
          (error: unknown) => error instanceof NotFoundError && error.entity === 'caption' && error.id === MISSING_ID,
        );
        await assert.rejects(
          rawSql(db, `INSERT INTO ratings (caption_id, voter_id, stars) VALUES ($1, 'v', 6)`, [caption.id]),
          /ratings_stars_check/,
        );
        assert.equal(await countRows(db, 'ratings', 'caption_id = $1', [caption.id]), 0);
      });
    });

    describe('preferences', () => {
      async function pairOnOneImage() {
        const [modelA, modelB] = [await addModel(db, unique('pa')), await addModel(db, unique('pb'), 'attention')];
        const image = await addImage(db);
        const a = await addCaption(db, image.id, modelA.id);
        const b = await addCaption(db, image.id, modelB.id);
        return { image, a, b, modelA, modelB };
      }

      it("records one vote per voter per pair, in the caller's A/B order", async () => {
        const { image, a, b } = await pairOnOneImage();
        const first = await db.preferences.record({
          imageId: image.id,
          captionAId: a.id,
          captionBId: b.id,
          winner: 'A',
          voterId: 'p1',
        });
        assert.deepEqual([first.captionAId, first.captionBId, first.winner], [a.id, b.id, 'A']);
        // The same pair shown the other way round: still one vote, now for b.
        const second = await db.preferences.record({
          imageId: image.id,
          captionAId: b.id,
          captionBId: a.id,
          winner: 'A',
          voterId: 'p1',
        });
        assert.equal(second.id, first.id);
        assert.deepEqual([second.captionAId, second.captionBId, second.winner], [b.id, a.id, 'A']);
        assert.equal(await countRows(db, 'preferences', 'image_id = $1', [image.id]), 1);
        await db.preferences.record({
          imageId: image.id,
          captionAId: a.id,
          captionBId: b.id,
          winner: 'TIE',
          voterId: 'p2',
        });
        assert.equal(await countRows(db, 'preferences', 'image_id = $1', [image.id]), 2);
      });

      it("rejects pairs that are not two models' captions of that image", async () => {
        const { image, a, modelA } = await pairOnOneImage();
        const otherImage = await addImage(db);
        const sameModel = await addCaption(db, image.id, modelA.id, { beamSize: 1 });
        const elsewhere = await addCaption(db, otherImage.id, modelA.id);
        const vote = { imageId: image.id, captionAId: a.id, winner: 'A' as const, voterId: 'p3' };
        await assert.rejects(db.preferences.record({ ...vote, captionBId: sameModel.id }), /two different models/);
        await assert.rejects(db.preferences.record({ ...vote, captionBId: elsewhere.id }), /is not a caption of image/);
        await assert.rejects(db.preferences.record({ ...vote, captionBId: a.id }), InvalidInputError);
        await assert.rejects(db.preferences.record({ ...vote, captionBId: MISSING_ID }), NotFoundError);
        await assert.rejects(
          db.preferences.record({ ...vote, captionBId: sameModel.id, winner: 'C' as never }),
          InvalidInputError,
        );
        // The database enforces the same image and different models even for raw writes.
        const [low, high] = [a.id, elsewhere.id].sort();
        await assert.rejects(
          rawSql(
            db,
            `INSERT INTO preferences (image_id, caption_a_id, model_a_id, caption_b_id, model_b_id, winner, voter_id)
                      VALUES ($1, $2, $3, $4, $3, 'A', 'raw')`,
            [image.id, low, modelA.id, high],
          ),
          /preferences_distinct_models_check|preferences_caption_[ab]_fkey/,
        );
        assert.equal(await countRows(db, 'preferences', 'image_id = $1', [image.id]), 0);
      });

      it('offers comparisons the voter has not judged until none are left', async () => {
        await pairOnOneImage();
        const voterId = unique('judge');
        const seen = new Set<string>();
        for (let round = 0; round < 500; round++) {
          const candidate = await db.preferences.nextComparison({ voterId });
          if (!candidate) break;
          assert.ok(!seen.has(candidate.imageId), 'an image already judged is not offered again');
          seen.add(candidate.imageId);
          const [a, b] = [
            await db.captions.getById(candidate.captionAId),
            await db.captions.getById(candidate.captionBId),
          ];
          assert.ok(
            a && b && a.imageId === candidate.imageId && b.imageId === candidate.imageId && a.modelId !== b.modelId,
          );
          await db.preferences.record({ ...candidate, winner: 'TIE', voterId });
        }
        assert.ok(seen.size >= 1);
        assert.equal(await db.preferences.nextComparison({ voterId }), null);
      });
    });

    describe('evaluation runs', () => {
      it('goes from queued to succeeded, and an identical start joins the active run', async () => {
        const model = await addModel(db, unique('eval-model'));
        const request = {
          modelId: model.id,
          split: 'test' as const,
          settings: { beamSize: 3, maxLength: 20 },
          metricVersion: 'bleu-nltk-1',
        };
        const started = await Promise.all(Array.from({ length: 10 }, () => db.evaluationRuns.startOrJoin(request)));
        const ids = new Set(started.map((result) => result.run.id));
        assert.equal(ids.size, 1, 'ten concurrent starts give one run');
        assert.equal(started.filter((result) => !result.joined).length, 1);
        const run = started[0]!.run;
        assert.deepEqual([run.status, run.done, run.total, run.bleu, run.dataset], ['queued', 0, 0, null, null]);

        const other = await db.evaluationRuns.startOrJoin({ ...request, settings: { beamSize: 1, maxLength: 20 } });
        assert.equal(other.joined, false);
        const otherDataset = await db.evaluationRuns.startOrJoin({ ...request, dataset: 'flickr8k' });
        assert.equal(otherDataset.joined, false);

        const running = await db.evaluationRuns.claim(run.id);
        assert.equal(running?.status, 'running');
        assert.ok(running?.startedAt instanceof Date);
        assert.equal(await db.evaluationRuns.claim(run.id), null, 'a running run cannot be claimed twice');
        await db.evaluationRuns.setTotal(run.id, 10);
        const progressed = await db.evaluationRuns.progress(run.id, { done: 4, reusedCaptions: 2 });
        assert.deepEqual([progressed.done, progressed.total, progressed.reusedCaptions], [4, 10, 2]);
        await assert.rejects(db.evaluationRuns.progress(run.id, { done: 11 }), ConstraintViolationError);
        assert.equal((await db.evaluationRuns.startOrJoin(request)).joined, true);

        assert.deepEqual(
          [running?.cider, running?.ciderVersion, running?.rougeL, running?.rougeLVersion],
          [null, null, null, null],
          'CIDEr-D and ROUGE-L are unmeasured until the run succeeds',
        );
        const done = await db.evaluationRuns.succeed(run.id, {
          bleu: [0.8, 0.6, 0.45, 0.3],
          cider: { value: 1.25, version: 'cider-d@1' },
          rougeL: { value: 0.55, version: 'rouge-l@1' },
        });
        assert.deepEqual(
          [done.status, done.bleu, done.cider, done.ciderVersion, done.rougeL, done.rougeLVersion, done.error],
          ['succeeded', [0.8, 0.6, 0.45, 0.3], 1.25, 'cider-d@1', 0.55, 'rouge-l@1', null],
        );
        assert.ok(done.finishedAt instanceof Date);
        await assert.rejects(db.evaluationRuns.succeed(run.id, result(1)), /it is succeeded, not running/);

        const next = await db.evaluationRuns.startOrJoin(request);
        assert.equal(next.joined, false, 'after it finished, the same request starts a new run');
        assert.deepEqual(await db.evaluationRuns.getById(run.id), done);
        const latest = await db.evaluationRuns.latestSucceeded();
        assert.deepEqual(
          latest.filter((entry) => entry.modelId === model.id).map((entry) => entry.id),
          [run.id],
        );
        const listed = await db.evaluationRuns.list({ modelId: model.id });
        assert.equal(listed.length, 4);
        assert.equal(listed[0]?.id, next.run.id, 'newest first');
      });

      it('fails runs with a message, requeues interrupted ones and rejects a second active run in the database', async () => {
        const model = await addModel(db, unique('eval-fail'));
        const request = {
          modelId: model.id,
          split: 'val' as const,
          settings: { beamSize: 2, maxLength: 20 },
          metricVersion: 'v1',
        };
        const { run } = await db.evaluationRuns.startOrJoin(request);
        await assert.rejects(db.evaluationRuns.succeed(run.id, result(0.1)), /it is queued, not running/);
        await assert.rejects(
          rawSql(
            db,
            `INSERT INTO evaluation_runs (model_id, split, settings_key, settings, metric_version)
                      VALUES ($1, 'val', $2, '{}', 'v1')`,
            [model.id, run.settingsKey],
          ),
          /evaluation_runs_one_active_idx/,
        );
        await db.evaluationRuns.claim(run.id);
        await db.evaluationRuns.progress(run.id, { done: 0 });
        const requeued = await db.evaluationRuns.requeueInterrupted();
        const mine = requeued.find((entry) => entry.id === run.id);
        assert.deepEqual([mine?.status, mine?.startedAt], ['queued', null]);
        // claimNext hands out queued runs oldest first; ours is among them.
        let claimed = await db.evaluationRuns.claimNext();
        const claimedIds: string[] = [];
        while (claimed && claimed.id !== run.id) {
          claimedIds.push(claimed.id);
          claimed = await db.evaluationRuns.claimNext();
        }
        assert.equal(claimed?.status, 'running');
        // A score without the version of its definition (or the reverse) would be unreadable later.
        await assert.rejects(
          rawSql(db, `UPDATE evaluation_runs SET cider = 1 WHERE id = $1`, [run.id]),
          /evaluation_runs_cider_version_check/,
        );
        await assert.rejects(
          rawSql(db, `UPDATE evaluation_runs SET rouge_l_version = 'v' WHERE id = $1`, [run.id]),
          /evaluation_runs_rouge_l_version_check/,
        );
        await assert.rejects(
          rawSql(db, `UPDATE evaluation_runs SET rouge_l = 1.5, rouge_l_version = 'v' WHERE id = $1`, [run.id]),
          /evaluation_runs_rouge_l_check/,
        );
        const failed = await db.evaluationRuns.fail(run.id, 'model not loaded');
        assert.deepEqual([failed.status, failed.error], ['failed', 'model not loaded']);
        for (const id of claimedIds) await db.evaluationRuns.fail(id, 'cleared by test');
        await assert.rejects(db.evaluationRuns.fail(MISSING_ID, 'x'), NotFoundError);
      });
    });

    describe('gallery', () => {
      // Five images in a dataset of their own, with captions of two models, ratings and references.
      async function galleryFixture() {
        const dataset = unique('gallery');
        const [lstm, attention] = [
          await addModel(db, unique('g-lstm')),
          await addModel(db, unique('g-att'), 'attention'),
        ];
        const images = [];
        for (let index = 0; index < 5; index++) {
          images.push(await addImage(db, { dataset, split: index < 3 ? 'test' : 'val' }));
        }
        const [i0, i1, i2, i3, i4] = images as [
          (typeof images)[0],
          (typeof images)[0],
          (typeof images)[0],
          (typeof images)[0],
          (typeof images)[0],
        ];
        const c0 = await addCaption(db, i0.id, lstm.id, { text: 'two red circles', sentenceBleu: 0.9 });
        await addCaption(db, i0.id, attention.id, { text: 'a red circle', sentenceBleu: 0.2 });
        const c1 = await addCaption(db, i1.id, lstm.id, { text: 'a blue square', sentenceBleu: 0.4 });
        const c2 = await addCaption(db, i2.id, attention.id, { text: 'a green triangle', sentenceBleu: 0.6 });
        await addCaption(db, i3.id, attention.id, { text: 'a yellow star', sentenceBleu: null });
        await db.ratings.rate({ captionId: c0.id, voterId: 'g1', stars: 5 });
        await db.ratings.rate({ captionId: c0.id, voterId: 'g2', stars: 4 });
        await db.ratings.rate({ captionId: c1.id, voterId: 'g1', stars: 2 });
        await db.ratings.rate({ captionId: c2.id, voterId: 'g1', stars: 3 });
        await db.references.add(i0.id, ['two circles']);
        await db.references.add(i4.id, ['an orange hexagon on the left']);
        return { dataset, lstm, attention, i0, i1, i2, i3, i4 };
      }

      async function allPages(query: Parameters<Database['images']['list']>[0], pageSize: number) {
        const ids: string[] = [];
        let after: string | null = null;
        for (let page = 0; page < 20; page++) {
          const result = await db.images.list({ ...query, first: pageSize, after });
          ids.push(...result.items.map((item) => item.image.id));
          if (!result.hasNextPage) return ids;
          assert.equal(result.items.length, pageSize);
          after = result.endCursor;
        }
        throw new Error('pagination did not end');
      }

      it('pages through every sort without gaps or repeats', async () => {
        const f = await galleryFixture();
        const filter = { dataset: f.dataset };
        assert.deepEqual(await allPages({ filter }, 2), newestFirst(f.i0, f.i1, f.i2, f.i3, f.i4));
        assert.deepEqual(await allPages({ filter, sort: 'bleu' }, 2), [
          f.i0.id,
          f.i2.id,
          f.i1.id,
          ...[f.i3.id, f.i4.id].sort().reverse(),
        ]);
        assert.deepEqual(await allPages({ filter, sort: 'rating' }, 1), [
          f.i0.id,
          f.i2.id,
          f.i1.id,
          ...[f.i3.id, f.i4.id].sort().reverse(),
        ]);
        const page = await db.images.list({ filter, sort: 'rating', first: 1 });
        assert.deepEqual(
          [page.items[0]?.image.meanRating, page.items[0]?.image.ratingCount, page.items[0]?.image.bestBleu],
          [4.5, 2, 0.9],
        );
        assert.equal(await db.images.count(filter), 5);
        const empty = await db.images.list({ filter: { dataset: unique('nothing') } });
        assert.deepEqual([empty.items, empty.hasNextPage, empty.endCursor], [[], false, null]);
      });

      it('filters by model, split, references, rating, BLEU, source and text', async () => {
        const f = await galleryFixture();
        const ids = async (filter: object, sort: 'newest' | 'bleu' = 'newest') =>
          (await db.images.list({ filter: { dataset: f.dataset, ...filter }, sort, first: 100 })).items.map(
            (item) => item.image.id,
          );
        assert.deepEqual(await ids({ modelId: f.lstm.id }), newestFirst(f.i1, f.i0));
        assert.deepEqual(await ids({ split: 'val' }), newestFirst(f.i4, f.i3));
        assert.deepEqual(await ids({ hasReferences: true }), newestFirst(f.i4, f.i0));
        assert.deepEqual(await ids({ hasReferences: false }), newestFirst(f.i3, f.i2, f.i1));
        assert.deepEqual(await ids({ minRating: 3 }), newestFirst(f.i2, f.i0));
        assert.deepEqual(await ids({ maxRating: 3 }), newestFirst(f.i2, f.i1));
        assert.deepEqual(await ids({ minBleu: 0.5, maxBleu: 0.7 }), [f.i2.id]);
        // Scoped to a model, the aggregates are that model's: image 0's attention caption has BLEU 0.2.
        assert.deepEqual(await ids({ modelId: f.attention.id, maxBleu: 0.3 }), [f.i0.id]);
        assert.deepEqual(await ids({ search: 'circle' }), [f.i0.id], 'stemming: circle matches circles');
        assert.deepEqual(await ids({ search: 'hexagon left' }), [f.i4.id], 'reference captions are searched');
        assert.deepEqual(await ids({ search: 'red', modelId: f.attention.id }), [f.i0.id]);
        assert.deepEqual(await ids({ search: 'zebra' }), []);
        assert.deepEqual(await ids({ source: 'upload' }), []);
        assert.deepEqual(await ids({ split: 'test', minBleu: 0.3 }, 'bleu'), [f.i0.id, f.i2.id, f.i1.id]);
        assert.equal(await db.images.count({ dataset: f.dataset, minBleu: 0.3 }), 3);
      });

      it('keeps the stored rating and BLEU aggregates equal to a recount', async () => {
        const [m1, m2] = [await addModel(db, unique('agg-a')), await addModel(db, unique('agg-b'))];
        const image = await addImage(db);
        const c1 = await addCaption(db, image.id, m1.id, { sentenceBleu: 0.3 });
        const c2 = await addCaption(db, image.id, m2.id, { sentenceBleu: 0.8 });
        // Many voters rating both captions at once, each voter several times.
        await Promise.all(
          Array.from({ length: 60 }, (_, index) =>
            db.ratings.rate({
              captionId: index % 2 ? c1.id : c2.id,
              voterId: `agg-${index % 10}`,
              stars: (index % 5) + 1,
            }),
          ),
        );
        await addCaption(db, image.id, m2.id, { sentenceBleu: 0.1 }); // re-scored: best BLEU drops to 0.3
        await rawSql(db, `DELETE FROM ratings WHERE caption_id = $1 AND voter_id = 'agg-1'`, [c1.id]);
        const recount = async () =>
          (
            await rawSql(
              db,
              `SELECT i.rating_count AS "count", i.rating_sum AS "sum", i.best_bleu AS "best",
              (SELECT count(*) FROM ratings r JOIN captions c ON c.id = r.caption_id WHERE c.image_id = i.id)::int AS "countNow",
              (SELECT COALESCE(sum(r.stars), 0) FROM ratings r JOIN captions c ON c.id = r.caption_id WHERE c.image_id = i.id)::int AS "sumNow",
              (SELECT max(c.sentence_bleu) FROM captions c WHERE c.image_id = i.id) AS "bestNow"
            FROM images i WHERE i.id = $1`,
              [image.id],
            )
          ).rows[0] as Record<string, number | null>;
        let row = await recount();
        assert.deepEqual([row.count, row.sum, row.best], [row.countNow, row.sumNow, row.bestNow]);
        assert.equal(row.best, 0.3);
        assert.equal(row.count, 9, 'five voters per caption, one of their ratings deleted');
        const stats = await db.createLoaders().imageStatsById.load(image.id);
        assert.deepEqual(stats, {
          meanRating: (row.sum as number) / (row.count as number),
          ratingCount: row.count,
          bestBleu: 0.3,
        });
        await rawSql(db, `DELETE FROM captions WHERE id = $1`, [c1.id]);
        row = await recount();
        assert.deepEqual([row.count, row.sum, row.best], [row.countNow, row.sumNow, row.bestNow]);
        assert.equal(row.best, 0.1);
        const captionRows = (
          await rawSql(
            db,
            `SELECT c.rating_count AS n, c.rating_sum AS s,
            (SELECT count(*) FROM ratings r WHERE r.caption_id = c.id)::int AS "nNow",
            (SELECT COALESCE(sum(stars), 0) FROM ratings r WHERE r.caption_id = c.id)::int AS "sNow"
          FROM captions c WHERE c.image_id = $1`,
            [image.id],
          )
        ).rows as { n: number; s: number; nNow: number; sNow: number }[];
        assert.deepEqual(
          captionRows.map((c) => [c.n, c.s]),
          captionRows.map((c) => [c.nNow, c.sNow]),
        );
      });

      it('rejects malformed paging and ranges', async () => {
        await assert.rejects(db.images.list({ after: 'garbage' }), InvalidInputError);
        const page = await db.images.list({ first: 1 });
        if (page.endCursor) await assert.rejects(db.images.list({ sort: 'bleu', after: page.endCursor }), /same query/);
        await assert.rejects(db.images.list({ first: 0 }), InvalidInputError);
        await assert.rejects(db.images.list({ first: 101 }), InvalidInputError);
        await assert.rejects(db.images.list({ filter: { minRating: 7 } }), InvalidInputError);
        await assert.rejects(db.images.list({ sort: 'oldest' as never }), InvalidInputError);
      });
    });

    describe('loaders and leaderboard', () => {
      it('batch-loads captions, references, ratings, models and images', async () => {
        const model = await addModel(db, unique('load-model'));
        const [imageA, imageB] = [await addImage(db), await addImage(db)];
        const caption = await addCaption(db, imageA.id, model.id, { sentenceBleu: 0.7 });
        await db.references.add(imageA.id, ['ref one', 'ref two']);
        await db.ratings.rate({ captionId: caption.id, voterId: 'me', stars: 3 });
        await db.ratings.rate({ captionId: caption.id, voterId: 'you', stars: 5 });
        const loaders = db.createLoaders({ voterId: 'me' });
        const [captions, references, summary, mine, loadedModel, images, stats, missing] = await Promise.all([
          loaders.captionsByImageId.loadMany([imageA.id, imageB.id]),
          loaders.referencesByImageId.load(imageA.id),
          loaders.ratingSummaryByCaptionId.load(caption.id),
          loaders.myRatingByCaptionId.load(caption.id),
          loaders.modelById.load(model.id),
          loaders.imageById.loadMany([imageB.id, MISSING_ID, 'junk']),
          loaders.imageStatsById.loadMany([imageA.id, imageB.id]),
          loaders.captionById.load(MISSING_ID),
        ]);
        assert.deepEqual(captions, [[caption], []]);
        assert.deepEqual(
          references.map((reference) => reference.text),
          ['ref one', 'ref two'],
        );
        assert.deepEqual(summary, { count: 2, mean: 4, histogram: [0, 0, 1, 0, 1] });
        assert.equal(mine, 3);
        assert.equal(loadedModel?.id, model.id);
        assert.deepEqual(images, [imageB, null, null]);
        assert.deepEqual(stats, [
          { meanRating: 4, ratingCount: 2, bestBleu: 0.7 },
          { meanRating: null, ratingCount: 0, bestBleu: null },
        ]);
        assert.equal(missing, null);
        assert.equal(await db.createLoaders().myRatingByCaptionId.load(caption.id), null);
      });

      it('loads caption summaries without the JSON columns and their details only by caption id', async () => {
        const model = await addModel(db, unique('summary-model'));
        const [imageA, imageB] = [await addImage(db), await addImage(db)];
        const older = await addCaption(db, imageA.id, model.id, { beamSize: 1 });
        const attention = { rows: 2, cols: 2, steps: [{ word: 'a', weights: [0.1, 0.2, 0.3, 0.4] }] };
        const newer = await db.captions.save({
          imageId: imageA.id,
          modelId: model.id,
          settings: { beamSize: 3, maxLength: 20 },
          text: 'a square',
          tokens: ['a', 'square'],
          tokenIds: [4, 5],
          logProb: -1.5,
          nBest: [{ text: 'a square', tokens: ['a', 'square'], logProb: -1.5, score: -0.75 }],
          attention,
          sentenceBleu: null,
          latencyMs: 3,
        });
        const loaders = db.createLoaders();
        const [summaries, full, details] = await Promise.all([
          loaders.captionSummariesByImageId.loadMany([imageA.id, imageB.id, 'junk']),
          loaders.captionsByImageId.load(imageA.id),
          loaders.captionDetailsById.loadMany([newer.id, older.id, MISSING_ID, 'junk']),
        ]);
        const withoutJson = ({ nBest: _nBest, attention: _attention, ...summary }: CaptionRecord) => summary;
        assert.deepEqual(summaries, [full.map(withoutJson), [], []]);
        assert.deepEqual(
          full.map((caption) => caption.id),
          [newer.id, older.id],
        );
        assert.deepEqual(details, [
          { id: newer.id, nBest: newer.nBest, attention },
          { id: older.id, nBest: older.nBest, attention: null },
          null,
          null,
        ]);
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
        const [p0, p1, p2] = captionPairs as [
          (typeof captionPairs)[0],
          (typeof captionPairs)[0],
          (typeof captionPairs)[0],
        ];
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

        const stats = (await db.leaderboard.ratingStats()).filter(
          (row) => row.modelId === m1.id || row.modelId === m2.id,
        );
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
  });
}
