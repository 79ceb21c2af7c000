// The demo gallery: on first start (until all of it is stored) import demo/flickr8k-test — Flickr8k's official
// test split (1000 photos, five reference captions each) in Flickr8k's layout, built by scripts/make-demo.mjs —
// and caption it with every loaded model. Re-running is harmless: the import skips stored images and captioning
// skips stored captions.
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { repoRoot } from '../config.js';
import type { Services } from '../graphql/context.js';
import { importDataset, type ImportProgress } from './import-dataset.js';
import { readDataset } from './read-dataset.js';

export const demoDir = path.join(repoRoot, 'demo', 'flickr8k-test');
/** The `dataset` label the demo's images are stored with (filter `dataset: "flickr8k"`). */
export const demoDataset = 'flickr8k';

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
  if (!(await stat(dir).catch(() => null))?.isDirectory()) {
    options.log(
      `No demo gallery at ${dir}; the gallery starts empty (rebuild it with node scripts/make-demo.mjs <flickr8k-dir>, upload images, or run npm run import -w @captioner/api -- <dir>).`,
    );
    return null;
  }
  // Import when the demo is not (completely) stored yet, so an interrupted first start resumes on the next.
  const examples = (await readDataset(dir)).examples.slice(0, options.limit);
  const splits = [...new Set(examples.map((e) => e.split))];
  let stored = 0;
  for (const split of splits) stored += await services.db.images.count({ dataset, split, hasReferences: true });
  if (stored >= examples.length) return null;
  if (services.imports.stopped) return null; // shutting down already
  const caption = options.caption ?? true;
  const models = services.registry.loaded().map((m) => m.id);
  options.log(
    `Importing the demo gallery from ${dir} (${stored}/${examples.length} stored, split ${splits.join(', ')})` +
      (caption
        ? models.length > 0
          ? ` and captioning it with ${models.join(', ')} in the background.`
          : '; no model is loaded, so it stays uncaptioned.'
        : '.'),
  );
  const started = Date.now();
  const captioning: Promise<void>[] = [];
  const result = await services.imports.track(
    importDataset(services.db, {
      root: dir,
      dataset,
      ...(options.limit !== undefined ? { limit: options.limit } : {}),
      limits: { maxBytes: services.config.maxUploadBytes, maxPixels: services.config.maxPixels },
      ...(caption ? { onImage: (id: string) => captioning.push(...services.captions.captionInBackground([id])) } : {}),
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
  if (captioning.length > 0) {
    // Say when the gallery is complete (not when captioning was cut short by a shutdown: the next start's
    // backfill finishes it then).
    void Promise.all(captioning)
      .then(async () => {
        const counts = await Promise.all(
          models.map((modelId) => services.db.images.count({ dataset, modelId, hasReferences: true })),
        );
        if (counts.every((n) => n >= examples.length)) {
          options.log(
            `Demo gallery captioned: ${examples.length} images by ${models.join(', ')}, ${Math.round((Date.now() - started) / 1000)} s after the import began.`,
          );
        }
      })
      .catch(() => undefined);
  }
  options.log(
    `Demo gallery: ${result.created} images imported, ${result.skipped} already stored, ${result.failed} failed` +
      (result.failures.length > 0 ? ` (${result.failures.slice(0, 3).join('; ')})` : '') +
      (caption && models.length > 0 ? '; captions are being generated in the background.' : '.'),
  );
  return result;
}
