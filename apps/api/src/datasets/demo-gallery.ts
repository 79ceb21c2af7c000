// The demo gallery: on first start (until all of it is stored) import demo/flickr8k-test — Flickr8k's official
// test split (1000 photos, five reference captions each) in Flickr8k's layout, built by scripts/make-demo.mjs —
// and queue its captions with every loaded model for the workers. Re-running is harmless: the import skips stored
// images, queueing skips jobs already waiting and captioning skips stored captions.
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { repoRoot } from '../config.js';
import type { Services } from '../graphql/context.js';
import type { ApiError } from '../errors.js';
import { importDataset, type ImportProgress } from './import-dataset.js';
import { readDataset } from './read-dataset.js';

export const demoDir = path.join(repoRoot, 'demo', 'flickr8k-test');
/** The `dataset` label the demo's images are stored with (filter `dataset: "flickr8k"`). */
export const demoDataset = 'flickr8k';

/** How much of the demo is stored; null when there is no demo directory (said in the log). */
async function demoState(
  services: Services,
  dir: string,
  dataset: string,
  limit: number | undefined,
  log: (m: string) => void,
) {
  if (!(await stat(dir).catch(() => null))?.isDirectory()) {
    log(
      `No demo gallery at ${dir}; the gallery starts empty (rebuild it with node scripts/make-demo.mjs <flickr8k-dir>, upload images, or run npm run import -w @captioner/api -- <dir>).`,
    );
    return null;
  }
  const examples = (await readDataset(dir)).examples.slice(0, limit);
  const splits = [...new Set(examples.map((e) => e.split))];
  let stored = 0;
  for (const split of splits) stored += await services.db.images.count({ dataset, split, hasReferences: true });
  return { total: examples.length, stored, splits };
}

/**
 * `npm start`'s first start: until the demo is completely stored, queue its import (with captions) as a job for
 * the workers. Any number of API replicas may call this: the import of one directory is queued once.
 */
export async function queueDemoGallery(services: Services, log: (message: string) => void): Promise<void> {
  const state = await demoState(services, demoDir, demoDataset, undefined, log);
  if (!state || state.stored >= state.total) return;
  try {
    const job = await services.imports.start({ path: demoDir, dataset: demoDataset, caption: true });
    log(
      `Importing the demo gallery from ${demoDir} (${state.stored}/${state.total} stored): import job ${job.id}, run by a worker, which then captions it.`,
    );
  } catch (error) {
    if ((error as ApiError).extensions?.code === 'CONFLICT') return; // queued or running already
    throw error;
  }
}

/** The demo imported in this process (the first-start benchmark), its captions queued. */
export async function ensureDemoGallery(
  services: Services,
  options: {
    dir?: string;
    dataset?: string;
    /** Queue captions with every loaded model as images are stored (default true). */
    caption?: boolean;
    /** Only the first `limit` images (benchmark smoke runs). */
    limit?: number;
    log: (message: string) => void;
    onProgress?: (p: ImportProgress) => void;
  },
): Promise<ImportProgress | null> {
  const dir = options.dir ?? demoDir;
  const dataset = options.dataset ?? demoDataset;
  // Import when the demo is not (completely) stored yet, so an interrupted first start resumes on the next.
  const state = await demoState(services, dir, dataset, options.limit, options.log);
  if (!state || state.stored >= state.total) return null;
  const { stored, splits } = state;
  if (services.imports.stopped) return null; // shutting down already
  const caption = options.caption ?? true;
  const models = services.registry.loaded().map((m) => m.id);
  options.log(
    `Importing the demo gallery from ${dir} (${stored}/${state.total} stored, split ${splits.join(', ')})` +
      (caption
        ? models.length > 0
          ? ` and captioning it with ${models.join(', ')} in the background.`
          : '; no model is loaded, so it stays uncaptioned.'
        : '.'),
  );
  const captioning: Promise<void>[] = [];
  const result = await services.imports.track(
    importDataset(services.db, {
      root: dir,
      dataset,
      ...(options.limit !== undefined ? { limit: options.limit } : {}),
      limits: { maxBytes: services.config.maxUploadBytes, maxPixels: services.config.maxPixels },
      ...(caption ? { onImage: (id: string) => captioning.push(services.captions.captionInBackground([id])) } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      shouldStop: () => services.imports.stopped,
    }),
  );
  if (services.imports.stopped && result.processed < result.total) {
    options.log(
      `Demo gallery: import stopped by the shutdown after ${result.processed} of ${result.total} images; the next start continues it.`,
    );
    return result;
  }
  const queued = await Promise.allSettled(captioning);
  const notQueued = queued.filter((q) => q.status === 'rejected').length;
  if (notQueued > 0)
    options.log(
      `Demo gallery: captions of ${notQueued} images could not be queued; a worker's start-up backfill queues them.`,
    );
  options.log(
    `Demo gallery: ${result.created} images imported, ${result.skipped} already stored, ${result.failed} failed` +
      (result.failures.length > 0 ? ` (${result.failures.slice(0, 3).join('; ')})` : '') +
      (caption && models.length > 0 ? '; captions are queued for the workers.' : '.'),
  );
  return result;
}
