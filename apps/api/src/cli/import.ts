#!/usr/bin/env node
// Dataset import command:
//   npm run import -w @captioner/api -- <dir> [--format flickr8k|karpathy|kaggle] [--dataset <name>]
//                                        [--split train,val,test] [--limit <n>] [--caption]
//   npm run import -w @captioner/api -- --demo      (demo/flickr8k-test, captioned with every model)
// Resumable: re-running skips stored images (and stored captions). Ctrl-C stops cleanly between images.
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Split } from '@captioner/db';
import { loadConfig } from '../config.js';
import { demoDataset, demoDir } from '../datasets/demo-gallery.js';
import { importDataset } from '../datasets/import-dataset.js';
import type { DatasetFormat } from '../datasets/read-dataset.js';
import { closeServices, openServices } from '../service.js';
import { startWorker, type RunningWorker } from '../jobs/worker.js';
import { progressBar } from './progress-bar.js';

const usage = `Usage: npm run import -w @captioner/api -- <dataset dir> [--format flickr8k|karpathy|kaggle] [--dataset <name>]
                 [--split train,val,test] [--limit <n>] [--caption]
       npm run import -w @captioner/api -- --demo`;

async function main(): Promise<number> {
  let args;
  try {
    args = parseArgs({
      allowPositionals: true,
      options: {
        format: { type: 'string' },
        dataset: { type: 'string' },
        split: { type: 'string' },
        limit: { type: 'string' },
        caption: { type: 'boolean', default: false },
        demo: { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
    });
  } catch (error) {
    console.error(`${(error as Error).message}\n${usage}`);
    return 2;
  }
  const { values, positionals } = args;
  if (values.help) {
    console.log(usage);
    return 0;
  }
  // npm runs workspace scripts in apps/api; resolve paths against where the command was typed.
  const given = values.demo ? demoDir : positionals[0];
  const dir = given ? path.resolve(process.env.INIT_CWD ?? process.cwd(), given) : undefined;
  if (!dir || positionals.length > 1) {
    console.error(usage);
    return 2;
  }
  const format = values.format as DatasetFormat | undefined;
  if (format && !['flickr8k', 'karpathy', 'kaggle'].includes(format)) {
    console.error(`--format must be flickr8k, karpathy or kaggle; got ${format}.`);
    return 2;
  }
  const splits = values.split?.split(',').map((s) => s.trim()) as Split[] | undefined;
  if (splits?.some((s) => !['train', 'val', 'test'].includes(s))) {
    console.error(`--split takes train, val and/or test (comma separated); got ${values.split}.`);
    return 2;
  }
  const limit = values.limit === undefined ? undefined : Number(values.limit);
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 0)) {
    console.error(`--limit must be a non-negative integer; got ${values.limit}.`);
    return 2;
  }
  const caption = values.caption || values.demo;

  const config = loadConfig();
  const log = (m: string) => console.error(m);
  const services = await openServices(config, { log });
  let interrupted = false;
  process.on('SIGINT', () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    console.error('\nStopping after the current images; run the same command again to continue.');
  });
  let worker: RunningWorker | null = null;
  try {
    const bar = progressBar('import ');
    const queueing: Promise<void>[] = [];
    const result = await importDataset(services.db, {
      root: dir,
      ...(format ? { format } : {}),
      ...(values.dataset ? { dataset: values.dataset } : values.demo ? { dataset: demoDataset } : {}),
      ...(splits ? { splits } : {}),
      ...(limit !== undefined ? { limit } : {}),
      limits: { maxBytes: config.maxUploadBytes, maxPixels: config.maxPixels },
      onImage: caption ? (id) => queueing.push(services.captions.captionInBackground([id])) : undefined,
      onProgress: (p) => bar.update(p.processed, p.total, `new ${p.created} skipped ${p.skipped} failed ${p.failed}`),
      shouldStop: () => interrupted,
    });
    bar.finish();
    console.log(
      `Imported ${result.dataset} (${result.format}): ${result.created} new, ${result.skipped} already stored, ${result.failed} failed of ${result.total}.`,
    );
    for (const f of result.failures) console.log(`  failed: ${f}`);
    if (caption && queueing.length > 0 && !interrupted) {
      // This process works the queue until it is empty (other workers may help).
      await Promise.all(queueing);
      worker = startWorker(services, log, { backfill: false });
      const models = services.registry.loaded().map((m) => m.id);
      const captionBar = progressBar('caption');
      let total = 0;
      await services.jobs.drained('caption', (c) => {
        const left = c.queued + c.retrying + c.active;
        total = Math.max(total, left);
        captionBar.update(total - left, total, `${models.join(' + ')}, ${c.failed} dead`);
      });
      captionBar.finish();
      console.log(`Captioned ${result.total} images with ${models.join(', ')} (stored captions were reused).`);
    }
    return result.failed > 0 && result.created + result.skipped === 0 ? 1 : 0;
  } finally {
    await closeServices(services, worker);
  }
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(`Import failed: ${error.message}`);
    process.exit(1);
  },
);
