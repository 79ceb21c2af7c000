// Imports a dataset directory into the database: each image validated and stored (deduplicated by SHA-256),
// its reference captions and split attached. Resumable: what is already stored is skipped cheaply (hash only),
// so re-running after an interruption continues where it stopped. Optionally captions as it goes.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { sentenceBleu, tokenize } from '@captioner/model';
import type { Database, ImportJobProgress, Split } from '@captioner/db';
import { ingestImage } from '../images/ingest-image.js';
import { describeError } from '../to-api-error.js';
import { readDataset, type DatasetFormat } from './read-dataset.js';

export interface ImportOptions {
  root: string;
  format?: DatasetFormat;
  /** Stored on the images; default the directory name. */
  dataset?: string;
  splits?: Split[];
  limit?: number;
  limits: { maxBytes: number; maxPixels: number };
  /** Called with each image id once stored, e.g. to queue captioning. */
  onImage?: (imageId: string) => void;
  onProgress?: (progress: ImportProgress) => void;
  /** Checked between images; when it returns true the import stops (resumable later). */
  shouldStop?: () => boolean;
}

/** The stored job's counts (failures: the first few, `file: message`), with what was imported. */
export interface ImportProgress extends ImportJobProgress {
  format: DatasetFormat;
  dataset: string;
}

/** Images processed at once: hashing and sharp decoding overlap with database round trips. */
const parallelism = 4;

export async function importDataset(db: Database, options: ImportOptions): Promise<ImportProgress> {
  const ds = await readDataset(options.root, options.format);
  const wanted = options.splits && options.splits.length > 0 ? new Set(options.splits) : null;
  let examples = ds.examples.filter((e) => !wanted || wanted.has(e.split));
  if (options.limit !== undefined) examples = examples.slice(0, Math.max(0, options.limit));
  const progress: ImportProgress = {
    format: ds.format,
    dataset: options.dataset ?? path.basename(ds.root),
    total: examples.length,
    processed: 0,
    created: 0,
    skipped: 0,
    failed: 0,
    failures: [],
  };
  options.onProgress?.({ ...progress });

  let next = 0;
  const worker = async () => {
    while (next < examples.length && !options.shouldStop?.()) {
      const example = examples[next++]!;
      try {
        const bytes = await readFile(example.path);
        // Stored bytes return at once without decoding (resume); a stored upload gains its split and dataset.
        const { image, created } = await ingestImage(db, bytes, {
          filename: example.file,
          source: 'dataset',
          dataset: progress.dataset,
          split: example.split,
          limits: options.limits,
        });
        const added = await db.references.add(image.id, example.captions);
        if (added > 0 && !created) await rescoreCaptions(db, image.id);
        if (created) progress.created++;
        else progress.skipped++;
        options.onImage?.(image.id);
      } catch (error) {
        progress.failed++;
        const reason =
          (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'file missing' : describeError(error).message;
        if (progress.failures.length < 10) progress.failures.push(`${example.file}: ${reason}`);
      }
      progress.processed++;
      options.onProgress?.({ ...progress });
    }
  };
  await Promise.all(Array.from({ length: parallelism }, worker));
  return progress;
}

/** Captions stored before the image had references get their sentence BLEU now. */
async function rescoreCaptions(db: Database, imageId: string): Promise<void> {
  const refs = (await db.references.listByImage(imageId)).map((r) => tokenize(r.text));
  if (refs.length === 0) return;
  for (const caption of await db.captions.listByImage(imageId)) {
    await db.captions.setSentenceBleu(caption.id, sentenceBleu(refs, tokenize(caption.text)));
  }
}
