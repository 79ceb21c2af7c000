// Moves every image's bytes and thumbnail to one location (PostgreSQL or the object store), a few at a time, in id
// order. Each image moves on its own and safely (images.moveBytes), so the run can be interrupted at any point
// (signal, Ctrl-C, kill, crash) and simply run again: it picks up the images still in the other location.
import type { ImagesRepository } from '../repositories/images.js';
import type { ImageLocation } from './object-store.js';

export interface StorageMigrationProgress {
  to: ImageLocation;
  /** Images in the source location when the run started. */
  total: number;
  moved: number;
  /** Moved or deleted by someone else meanwhile. */
  skipped: number;
  failed: number;
  elapsedMs: number;
}

export interface StorageMigrationResult extends StorageMigrationProgress {
  /** Placements of earlier deletions/moves whose objects were deleted first (left by a crash or an outage). */
  drained: number;
  /** The first failures (image id and why); a run stops after `maxFailures`. */
  errors: { id: string; message: string }[];
  /** Stopped by the signal before every image was tried. */
  interrupted: boolean;
  /** Images still in the source location at the end. */
  remaining: number;
}

export interface StorageMigrationOptions {
  to: ImageLocation;
  /** Images moved at once; default 4. */
  concurrency?: number;
  /** Stop after this many failed images; default 10. */
  maxFailures?: number;
  /** Aborting stops taking new images; the ones in flight finish. */
  signal?: AbortSignal;
  onProgress?: (progress: StorageMigrationProgress) => void;
}

const PAGE = 200;
const KEPT_ERRORS = 20;

export async function migrateImageStorage(
  images: ImagesRepository,
  options: StorageMigrationOptions,
): Promise<StorageMigrationResult> {
  const { to, signal } = options;
  const from: ImageLocation = to === 's3' ? 'postgres' : 's3';
  const concurrency = options.concurrency ?? 4;
  const maxFailures = options.maxFailures ?? 10;
  const started = performance.now();
  const drained = await images.drainObjectDeletions();
  const total = (await images.countByStorage())[from];
  const progress: StorageMigrationProgress = { to, total, moved: 0, skipped: 0, failed: 0, elapsedMs: 0 };
  const errors: StorageMigrationResult['errors'] = [];
  const report = () => options.onProgress?.({ ...progress, elapsedMs: performance.now() - started });
  const stopped = () => signal?.aborted === true || progress.failed >= maxFailures;

  let afterId: string | null = null;
  while (!stopped()) {
    const ids = await images.idsStoredIn(from, { afterId, limit: PAGE });
    if (ids.length === 0) break;
    afterId = ids[ids.length - 1]!;
    let next = 0;
    const worker = async () => {
      while (next < ids.length && !stopped()) {
        const id = ids[next++]!;
        try {
          const outcome = await images.moveBytes(id, to);
          if (outcome === 'moved') progress.moved++;
          else progress.skipped++;
        } catch (error) {
          progress.failed++;
          if (errors.length < KEPT_ERRORS) errors.push({ id, message: (error as Error).message });
        }
        report();
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, ids.length) }, worker));
  }
  const remaining = (await images.countByStorage())[from];
  return {
    ...progress,
    elapsedMs: performance.now() - started,
    drained,
    errors,
    interrupted: signal?.aborted === true && remaining > 0,
    remaining,
  };
}
