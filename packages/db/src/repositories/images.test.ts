// Images: stored once per SHA-256, read with and without bytes, refused when malformed, picked for evaluations.
import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { ConstraintViolationError, InvalidInputError } from '../errors.js';
import type { Database } from '../open-database.js';
import { countRows, describeRepository, MISSING_ID, rawSql, unique } from '../test-fixture.js';
import { addImage, imageInput, sha256Of } from '../test-support.js';

describeRepository('images', (database) => {
  let db: Database;
  before(() => {
    db = database();
  });

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
