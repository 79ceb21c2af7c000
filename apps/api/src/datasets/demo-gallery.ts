// The demo gallery: on first start (until all of it is stored) import demo/shapes (the shapes test split in Flickr8k layout)
// and caption it with every loaded model. Re-running is harmless: the import skips stored images and captioning
// skips stored captions.
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { repoRoot } from '../config.js';
import type { Services } from '../graphql/context.js';
import { importDataset, type ImportProgress } from './import-dataset.js';
import { readDataset } from './read-dataset.js';

export const demoDir = path.join(repoRoot, 'demo', 'shapes');
const demoDataset = 'shapes';

export async function ensureDemoGallery(
  services: Services,
  options: { dir?: string; log: (message: string) => void; onProgress?: (p: ImportProgress) => void },
): Promise<ImportProgress | null> {
  const dir = options.dir ?? demoDir;
  if (!(await stat(dir).catch(() => null))?.isDirectory()) {
    options.log(
      `No demo gallery at ${dir}; the gallery starts empty (upload images or run npm run import -w @captioner/api -- <dir>).`,
    );
    return null;
  }
  // Import when the demo is not (completely) stored yet, so an interrupted first start resumes on the next.
  const expected = (await readDataset(dir)).examples.length;
  const stored = await services.db.images.count({ dataset: demoDataset });
  if (stored >= expected) return null;
  options.log(
    `Importing the demo gallery from ${dir} (${stored}/${expected} stored) and captioning it with every loaded model.`,
  );
  const result = await importDataset(services.db, {
    root: dir,
    dataset: demoDataset,
    limits: { maxBytes: services.config.maxUploadBytes, maxPixels: services.config.maxPixels },
    onImage: (id) => void services.captions.captionInBackground([id]),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
  options.log(
    `Demo gallery: ${result.created} images imported (${result.failed} failed); captions are being generated in the background.`,
  );
  return result;
}
