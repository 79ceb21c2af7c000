// Puts an image's bytes where the configured storage says, reads them from wherever its row says, and moves them
// between PostgreSQL and the object store without ever losing them: write to the target, read back and compare,
// then switch the row (one UPDATE, which also clears the source when that is the row), then delete the source.
// Object keys that no row uses any more are recorded in image_object_deletions in the same transaction that lets
// go of them, and deleted from there (drain), so a crash at any point leaves at most objects still to delete.
import { createHash } from 'node:crypto';
import type { DbContext } from '../context.js';
import { run } from '../context.js';
import { ImageStorageError } from '../errors.js';
import { drainDeletions } from '../sql/object-deletions.js';
import {
  newObjectKey,
  originalKey,
  placementKeys,
  thumbnailKey,
  type ImageLocation,
  type ImageStorageOptions,
  type ObjectStore,
} from './object-store.js';

/** Objects written for a row that does not use them yet may be deleted by a drain only after this long. */
const TENTATIVE_MS = 60 * 60 * 1000;
const DRAIN_BATCH = 100;

const sha256Hex = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** What a row's location columns say. */
export interface RowLocation {
  id: string;
  storage: string;
  objectKey: string | null;
}

export type MoveOutcome = 'moved' | 'already' | 'gone';

/** openDatabase has checked that target 's3' comes with an object store. */
export function imagePlacement(ctx: DbContext, options: ImageStorageOptions = {}) {
  const target: ImageLocation = options.target ?? 'postgres';
  const objects = options.objects ?? null;

  const store = (imageId: string): ObjectStore => {
    if (objects) return objects;
    throw new ImageStorageError(
      `Image ${imageId} keeps its bytes in S3 object storage, but no object store is configured. Set ` +
        'CAPTIONER_S3_BUCKET (and CAPTIONER_S3_ENDPOINT etc.) to read it, or move the images back with ' +
        '`npm run storage:migrate -w @captioner/api -- --to postgres` while S3 is still configured.',
    );
  };

  /** Records `key` for deletion, due at once or (objects about to be written) after TENTATIVE_MS. */
  const recordDeletion = (key: string, tentative: boolean) =>
    run(() =>
      ctx.prisma.imageObjectDeletion.create({
        data: { objectKey: key, notBefore: new Date(Date.now() + (tentative ? TENTATIVE_MS : 0)) },
      }),
    );

  /** Deletes due objects now (only `keys` when given); returns how many placements were cleaned up. */
  async function drain(keys?: readonly string[]): Promise<number> {
    if (!objects) return 0;
    let total = 0;
    for (;;) {
      const claimed = await drainDeletions(ctx, { limit: DRAIN_BATCH, ...(keys ? { keys } : {}) }, (batch) =>
        objects.delete(batch.filter((c) => !c.inUse).flatMap((c) => placementKeys(c.objectKey))),
      );
      total += claimed.length;
      if (claimed.length < DRAIN_BATCH) return total;
    }
  }

  /** Best effort right after letting go of a key: a failure leaves the record for the next drain. */
  const drainSoon = (key: string) => drain([key]).catch(() => 0);

  /**
   * Writes both objects under a fresh key recorded as tentative, reads them back and compares. The caller then
   * deletes the record in the transaction that points a row at the key (claimOrAbort), or releases it.
   */
  async function writeObjects(
    imageId: string,
    sha256: string,
    original: { bytes: Buffer; mime: string },
    thumbnail: { bytes: Buffer; mime: string },
  ): Promise<string> {
    const objectStore = store(imageId);
    const key = newObjectKey(objectStore, sha256);
    await recordDeletion(key, true);
    try {
      await objectStore.put(originalKey(key), original.bytes, original.mime);
      await objectStore.put(thumbnailKey(key), thumbnail.bytes, thumbnail.mime);
      const [readOriginal, readThumbnail] = await Promise.all([
        objectStore.get(originalKey(key)),
        objectStore.get(thumbnailKey(key)),
      ]);
      if (!readOriginal?.equals(original.bytes) || !readThumbnail?.equals(thumbnail.bytes)) {
        throw new ImageStorageError(
          `Object storage ${objectStore.location} returned other bytes than were written to ${key}; nothing was ` +
            'switched to it. Check the server (a proxy rewriting bodies, a full disk) and try again.',
        );
      }
      return key;
    } catch (error) {
      await release(key);
      throw error;
    }
  }

  /** The key is not going to be used: its objects may go now. */
  async function release(key: string): Promise<void> {
    await run(() =>
      ctx.prisma.imageObjectDeletion.updateMany({ where: { objectKey: key }, data: { notBefore: new Date() } }),
    ).catch(() => {});
    await drainSoon(key);
  }

  return {
    target,
    objects,
    drain,
    release,
    writeObjects,

    /** Reads a row's original or thumbnail from wherever it is. */
    async read(
      row: RowLocation & { bytes?: Uint8Array | null; thumbnail?: Uint8Array | null },
      variant: 'original' | 'thumbnail',
    ): Promise<Buffer> {
      if (row.storage === 'postgres') {
        const bytes = variant === 'original' ? row.bytes : row.thumbnail;
        if (!bytes) throw new Error(`Image ${row.id} is stored in PostgreSQL without its ${variant}.`);
        return Buffer.from(bytes);
      }
      return readObject(row, variant);
    },

    /** Moves one image's bytes to `to`. Safe to interrupt at any point and to run concurrently with itself. */
    async move(id: string, to: ImageLocation): Promise<MoveOutcome> {
      return to === 's3' ? moveToObjects(id) : moveToPostgres(id);
    },
  };

  async function moveToObjects(id: string): Promise<MoveOutcome> {
    const row = await run(() =>
      ctx.prisma.image.findUnique({
        where: { id },
        select: { sha256: true, mime: true, thumbnailMime: true, storage: true, bytes: true, thumbnail: true },
      }),
    );
    if (!row) return 'gone';
    if (row.storage !== 'postgres' || !row.bytes || !row.thumbnail) return 'already';
    const key = await writeObjects(
      id,
      row.sha256,
      { bytes: Buffer.from(row.bytes), mime: row.mime },
      { bytes: Buffer.from(row.thumbnail), mime: row.thumbnailMime },
    );
    // The switch also clears the row's bytes: the source is gone in the same commit that makes the objects count.
    const switched = await run(() =>
      ctx.prisma.$transaction(async (tx) => {
        const { count: claimed } = await tx.imageObjectDeletion.deleteMany({ where: { objectKey: key } });
        if (claimed !== 1) return false;
        const { count } = await tx.image.updateMany({
          where: { id, storage: 'postgres' },
          data: { storage: 's3', objectKey: key, bytes: null, thumbnail: null },
        });
        if (count !== 1) throw new RowChanged();
        return true;
      }),
    ).catch((error: unknown) => {
      if (error instanceof RowChanged) return false;
      throw error;
    });
    if (!switched) {
      await release(key);
      const now = await run(() => ctx.prisma.image.findUnique({ where: { id }, select: { storage: true } }));
      return now ? 'already' : 'gone';
    }
    return 'moved';
  }

  async function moveToPostgres(id: string): Promise<MoveOutcome> {
    const row = await run(() =>
      ctx.prisma.image.findUnique({
        where: { id },
        select: { sha256: true, byteSize: true, storage: true, objectKey: true },
      }),
    );
    if (!row) return 'gone';
    if (row.storage !== 's3' || !row.objectKey) return 'already';
    const location: RowLocation = { id, storage: row.storage, objectKey: row.objectKey };
    const [bytes, thumbnail] = await Promise.all([readObject(location, 'original'), readObject(location, 'thumbnail')]);
    if (bytes.length !== row.byteSize || sha256Hex(bytes) !== row.sha256) {
      throw new ImageStorageError(
        `Image ${id}'s original in object storage (${originalKey(row.objectKey)}) does not match its SHA-256 ` +
          `${row.sha256}; left where it is.`,
      );
    }
    const key = row.objectKey;
    const { count } = await run(() =>
      ctx.prisma.$transaction(async (tx) => {
        const result = await tx.image.updateMany({
          where: { id, storage: 's3', objectKey: key },
          data: { storage: 'postgres', objectKey: null, bytes: Buffer.from(bytes), thumbnail: Buffer.from(thumbnail) },
        });
        if (result.count === 1) await tx.imageObjectDeletion.create({ data: { objectKey: key } });
        return result;
      }),
    );
    if (count !== 1) {
      const now = await run(() => ctx.prisma.image.findUnique({ where: { id }, select: { storage: true } }));
      return now ? 'already' : 'gone';
    }
    await drainSoon(key);
    return 'moved';
  }

  async function readObject(row: RowLocation, variant: 'original' | 'thumbnail'): Promise<Buffer> {
    const objectStore = store(row.id);
    const key = variant === 'original' ? originalKey(row.objectKey!) : thumbnailKey(row.objectKey!);
    const bytes = await objectStore.get(key);
    if (bytes) return bytes;
    throw new ImageStorageError(
      `Image ${row.id}'s ${variant} is missing from object storage ${objectStore.location} (key ${key}). ` +
        'Check that CAPTIONER_S3_BUCKET/ENDPOINT name the storage the image was written to.',
    );
  }
}

/** The row moved or went while its bytes were being copied; the copy is released. */
class RowChanged extends Error {}

export type ImagePlacement = ReturnType<typeof imagePlacement>;
